"""The image check every upload goes through (spaces, news, logos)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from concerto.core.spaces.tests.images import image_upload, text_upload
from concerto.core.uploads import validate_image_upload


@pytest.fixture(autouse=True)
def _french():
    with translation.override("fr"):
        yield


@pytest.mark.parametrize("image_format,content_type", [("PNG", "image/png"), ("JPEG", "image/jpeg"),
                                                       ("WEBP", "image/webp")])
def test_jpeg_png_and_webp_images_are_accepted(image_format, content_type):
    upload = image_upload(image_format=image_format, content_type=content_type)
    validate_image_upload(upload)
    assert upload.tell() == 0  # rewound, ready to be stored


def test_a_file_that_is_not_an_image_is_refused_in_french():
    with pytest.raises(ValidationError) as error:
        validate_image_upload(text_upload())
    assert "n’est pas une image" in error.value.messages[0]


def test_a_gif_is_refused_even_though_it_is_an_image():
    with pytest.raises(ValidationError):
        validate_image_upload(image_upload(name="a.gif", image_format="GIF", content_type="image/gif"))


def test_an_image_over_the_size_limit_is_refused(settings):
    settings.CONCERTO_MAX_IMAGE_BYTES = 100
    with pytest.raises(ValidationError) as error:
        validate_image_upload(image_upload(size=(200, 200)))
    assert "trop lourde" in error.value.messages[0]


def test_an_image_wider_than_6000_pixels_is_refused():
    with pytest.raises(ValidationError) as error:
        validate_image_upload(image_upload(size=(6001, 1)))
    assert "6000" in error.value.messages[0]


def test_a_truncated_image_is_refused():
    upload = image_upload(size=(300, 300))
    upload.file.truncate(60)
    with pytest.raises(ValidationError):
        validate_image_upload(upload)
