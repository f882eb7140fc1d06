"""Small uploaded files for tests: real images of each format, and things that are not images."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def image_upload(name="photo.png", image_format="PNG", size=(40, 30), content_type="image/png"):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(buffer, format=image_format)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


def text_upload(name="photo.png"):
    return SimpleUploadedFile(name, b"%PDF-1.4 this is not an image", content_type="image/png")
