"""Checks on files people upload (images of spaces, news posts, organisation logos).

An uploaded file is untrusted: its name and declared type say nothing. Pillow opens it, checks that the
bytes really are an image of an accepted format, and reads its dimensions without decoding the pixels,
so a huge or crafted file is refused before anything stores or resizes it.
"""

import warnings
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.text import slugify
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

ALLOWED_IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_IMAGE_SIDE = 6000


def validate_image_upload(file) -> None:
    """Raise ValidationError (in the user's language) unless FILE is a JPEG, PNG or WebP image within limits.

    FILE is an uploaded file (or any file object with `size`, `read` and `seek`); it is left rewound,
    and renamed with the extension of its real format (see `_rename`).
    """
    if file is None:
        return
    max_bytes = settings.CONCERTO_MAX_IMAGE_BYTES
    size = getattr(file, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(
            _("The image is too large (%(size)s). The maximum is %(max)s.")
            % {"size": filesizeformat(size), "max": filesizeformat(max_bytes)},
            code="image_too_large",
        )
    not_an_image = ValidationError(
        _("This file is not an image we accept. Send a JPEG, PNG or WebP image."), code="not_an_image"
    )
    try:
        file.seek(0)
        # A decompression-bomb warning is an error here: such a file is refused, not opened.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file) as image:
                image_format = image.format
                width, height = image.size
                image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise not_an_image from None
    except Exception:  # Pillow raises many kinds of errors on truncated or crafted files.
        raise not_an_image from None
    finally:
        try:
            file.seek(0)
        except Exception:  # noqa: S110 - a closed file cannot be rewound; nothing more to do
            pass
    if image_format not in ALLOWED_IMAGE_FORMATS:
        raise not_an_image
    if width > MAX_IMAGE_SIDE or height > MAX_IMAGE_SIDE:
        raise ValidationError(
            _("The image is too big (%(width)s × %(height)s pixels). "
              "Each side must be at most %(max)s pixels.")
            % {"width": width, "height": height, "max": MAX_IMAGE_SIDE},
            code="image_too_big",
        )
    _rename(file, image_format)


def _rename(file, image_format: str) -> None:
    """Give FILE a plain name with the extension of the format Pillow found.

    A web server picks the Content-Type of a stored file from its extension: a PNG uploaded as
    "page.html" or "logo.svg" would be served as a page or an SVG and run scripts on the site's origin.
    """
    # Only a new upload: renaming a file already stored would point its field at nothing.
    if isinstance(file, UploadedFile) and file.name:
        stem = slugify(PurePath(file.name).stem)[:80] or "image"
        file.name = f"{stem}.{EXTENSIONS[image_format]}"
