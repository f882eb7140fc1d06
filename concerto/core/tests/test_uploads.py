"""The kernel's upload pipeline: what is stored holds the pixels, never where or with what they were taken."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from concerto.core.uploads import document_clean, image_clean, uploaded_image_clean
from concerto.testing import jpeg_with_gps, stored_image_metadata

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _with_exif(fmt: str, mode="RGB") -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8825)[2] = (48.0, 46.0, 28.0)
    buffer = io.BytesIO()
    Image.new(mode, (40, 30), (1, 2, 3, 128) if mode == "RGBA" else (1, 2, 3)).save(buffer, fmt, exif=exif)
    return buffer.getvalue()


def _read(content) -> Image.Image:
    image = Image.open(io.BytesIO(content.read()))
    image.load()
    return image


@pytest.mark.parametrize("fmt, extension, mode", [("JPEG", "jpg", "RGB"), ("PNG", "png", "RGBA"),
                                                   ("WEBP", "webp", "RGBA")])
def test_every_accepted_format_keeps_its_format_and_loses_its_metadata(fmt, extension, mode):
    original = _with_exif(fmt, mode)
    assert Image.open(io.BytesIO(original)).getexif()  # the test file does hold metadata
    cleaned = image_clean(SimpleUploadedFile(f"Mon Image.{extension}", original))
    stored = _read(cleaned)
    assert stored.format == fmt and cleaned.name == f"mon-image.{extension}"
    assert dict(stored.getexif()) == {} and "exif" not in stored.info
    assert stored.mode == mode and (cleaned.width, cleaned.height) == (40, 30)


def test_photos_are_turned_upright_shrunk_and_stored_as_jpeg_when_asked():
    png = io.BytesIO()
    Image.new("RGB", (800, 400)).save(png, "PNG")
    cleaned = image_clean(SimpleUploadedFile("x.png", png.getvalue()), max_side=200, jpeg=True, name="photo")
    assert cleaned.name == "photo.jpg" and _read(cleaned).size == (200, 100)
    upright = image_clean(SimpleUploadedFile("x.jpg", jpeg_with_gps(size=(80, 40), orientation=6)))
    assert _read(upright).size == (40, 80)


def test_a_fake_or_oversized_image_is_refused_with_a_clear_message(settings):
    settings.LANGUAGE_CODE = "en"
    with pytest.raises(ValidationError, match="not an image we accept"):
        image_clean(SimpleUploadedFile("x.jpg", PDF))
    with pytest.raises(ValidationError, match="The image is too large"):
        image_clean(SimpleUploadedFile("x.jpg", jpeg_with_gps(size=(30, 20))), max_bytes=100)


def test_only_new_uploads_are_cleaned_and_errors_name_the_field(settings):
    settings.LANGUAGE_CODE = "en"
    assert uploaded_image_clean(None) is None and uploaded_image_clean(False) is False
    with pytest.raises(ValidationError) as error:
        uploaded_image_clean(SimpleUploadedFile("x.png", b"<svg/>"), field="logo")
    assert "not an image" in error.value.message_dict["logo"][0]


def test_documents_are_pdfs_checked_by_content_or_cleaned_images(settings):
    settings.LANGUAGE_CODE = "en"
    pdf = document_clean(SimpleUploadedFile("Compte rendu.PDF", PDF), max_bytes=10_000)
    assert pdf.name == "compte-rendu.pdf" and pdf.read() == PDF
    image = document_clean(SimpleUploadedFile("scan.jpg", jpeg_with_gps(size=(30, 20))), max_bytes=100_000)
    assert dict(_read(image).getexif()) == {}
    for content, message in ((b"<html><script>", "neither a PDF nor an image"), (b"", "empty"),
                             (PDF + b"0" * 200, "too large")):
        with pytest.raises(ValidationError, match=message):
            document_clean(SimpleUploadedFile("a.pdf", content), max_bytes=len(PDF) + 100)


@pytest.mark.django_db
def test_space_images_and_organisation_logos_are_stored_without_metadata(settings, tmp_path, agent, sceaux):
    from concerto.core.backoffice.services import organisation_settings_update
    from concerto.core.spaces.services import space_create

    settings.MEDIA_ROOT = tmp_path
    space = space_create(actor=agent, organisation=sceaux, title="Parc", image_alt="Le parc",
                         image=SimpleUploadedFile("parc.jpg", jpeg_with_gps(size=(60, 40))))
    assert space.image.name.endswith(".jpg") and stored_image_metadata(space.image) == {}
    organisation_settings_update(actor=agent, organisation=sceaux,
                                 logo=SimpleUploadedFile("logo.jpg", jpeg_with_gps(size=(60, 40))))
    sceaux.refresh_from_db()
    assert stored_image_metadata(sceaux.logo) == {}
