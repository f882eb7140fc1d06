import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from concerto.core.uploads import validate_image_upload


def _image(fmt, size=(10, 10)):
    buffer = io.BytesIO()
    Image.new("RGB", size).save(buffer, fmt)
    return SimpleUploadedFile(f"image.{fmt.lower()}", buffer.getvalue())


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_accepted_images_pass_and_are_rewound(fmt):
    upload = _image(fmt)
    validate_image_upload(upload)
    assert upload.tell() == 0


@pytest.mark.parametrize("upload", [
    SimpleUploadedFile("virus.png", b"MZ\x90\x00 not an image"),
    _image("GIF"),
    _image("BMP"),
])
def test_other_files_are_refused_in_french(upload):
    with translation.override("fr"), pytest.raises(ValidationError) as error:
        validate_image_upload(upload)
    assert "JPEG, PNG ou WebP" in error.value.messages[0]


def test_a_file_over_the_limit_is_refused(settings):
    settings.CONCERTO_MAX_IMAGE_BYTES = 50
    with pytest.raises(ValidationError):
        validate_image_upload(_image("PNG", (100, 100)))
