"""Report photos: real images only, size limit, resized, stored without any metadata."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from concerto.components.reports import photos
from concerto.testing import jpeg_with_gps


def upload(content: bytes, name="photo.jpg"):
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def test_a_jpeg_with_gps_exif_is_stored_without_any_metadata_and_resized():
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the test file does hold a position
    cleaned = photos.photo_clean(upload(original))
    stored = Image.open(io.BytesIO(cleaned.read()))
    assert stored.format == "JPEG"
    assert dict(stored.getexif()) == {} and "exif" not in stored.info
    assert max(stored.size) == 1600 and stored.size == (1600, 800)
    assert (cleaned.width, cleaned.height) == (1600, 800)


def test_the_exif_orientation_is_applied_before_it_is_dropped():
    # Orientation 6: the camera was turned; the picture must be shown upright (taller than wide).
    cleaned = photos.photo_clean(upload(jpeg_with_gps(size=(800, 400), orientation=6)))
    stored = Image.open(io.BytesIO(cleaned.read()))
    assert stored.size == (400, 800) and dict(stored.getexif()) == {}


def test_a_png_with_transparency_stays_a_png():
    buffer = io.BytesIO()
    Image.new("RGBA", (50, 40), (0, 0, 0, 0)).save(buffer, "PNG")
    cleaned = photos.photo_clean(upload(buffer.getvalue(), "dessin.png"))
    assert cleaned.name.endswith(".png") and Image.open(io.BytesIO(cleaned.read())).mode == "RGBA"


def test_a_pdf_renamed_jpg_is_refused(settings):
    settings.LANGUAGE_CODE = "en"
    with pytest.raises(ValidationError, match="not an image we accept"):
        photos.photo_clean(upload(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n", "facture.jpg"))


def test_an_oversized_file_is_refused_with_its_size(monkeypatch, settings):
    settings.LANGUAGE_CODE = "en"
    big = upload(b"\xff\xd8" + b"0" * 100)
    big.size = 11 * 1024 * 1024
    with pytest.raises(ValidationError, match="The photo is too large"):
        photos.photo_clean(big)


def test_a_photo_between_the_site_limit_and_10_mb_is_accepted(settings):
    settings.CONCERTO_MAX_IMAGE_BYTES = 1000  # the general limit of the site does not apply to report photos
    cleaned = photos.photo_clean(upload(jpeg_with_gps(size=(300, 200))))
    assert cleaned.width == 300
