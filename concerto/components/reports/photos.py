"""Photos of reports: the kernel's upload pipeline (`core/uploads.image_clean`: checked by content, turned
upright, re-encoded without any metadata, no GPS position, no device) with the reports' own limits: 10 MB
at most, resized to 1600 px on the long side, stored as JPEG unless transparent."""

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from concerto.core.french import file_size
from concerto.core.uploads import image_clean

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_SIDE = 1600


def photo_clean(file) -> ContentFile:
    """The file to store for FILE (see image_clean); `width` and `height` are set on it. Raises
    ValidationError with a clear message."""
    size = getattr(file, "size", None)
    if size is not None and size > MAX_PHOTO_BYTES:
        raise ValidationError(
            _("The photo is too large (%(size)s). Each photo may be %(max)s at most.")
            % {"size": file_size(size), "max": file_size(MAX_PHOTO_BYTES)}, code="photo_too_large")
    return image_clean(file, max_bytes=MAX_PHOTO_BYTES, max_side=MAX_SIDE, jpeg=True, name="photo")
