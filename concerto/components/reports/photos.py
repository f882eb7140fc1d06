"""Photos of reports: real images only (checked by content), 10 MB at most, turned upright, resized to
1600 px on the long side and re-encoded without any metadata (no GPS position, no device)."""

import io

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from concerto.core.uploads import validate_image_upload

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_SIDE = 1600


class _Unsized:
    """FILE's reading methods only."""

    def __init__(self, file):
        self.read, self.seek, self.tell = file.read, file.seek, file.tell


def photo_clean(file) -> ContentFile:
    """A new file holding FILE's picture, upright, at most MAX_SIDE pixels on its long side, without EXIF
    or any other metadata; `width` and `height` are set on it. Raises ValidationError with a clear message."""
    size = getattr(file, "size", None)
    if size is not None and size > MAX_PHOTO_BYTES:
        raise ValidationError(
            _("The photo is too large (%(size)s). Each photo may be %(max)s at most.")
            % {"size": filesizeformat(size), "max": filesizeformat(MAX_PHOTO_BYTES)}, code="photo_too_large")
    # The project's content check (format, dimensions, decompression bombs); the size limit of report
    # photos is ours, checked above, so the check sees the file without its size.
    validate_image_upload(_Unsized(file))
    try:
        file.seek(0)
        with Image.open(file) as original:
            source_format = original.format
            image = ImageOps.exif_transpose(original)
            image.load()
    except Exception:  # Pillow raises many kinds of errors on truncated or crafted files.
        raise ValidationError(_("This file is not an image we accept. Send a JPEG, PNG or WebP image."),
                              code="not_an_image") from None
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    output = io.BytesIO()
    # A fresh image holds only pixels: nothing of the original's info (EXIF, XMP, ICC, comments) is copied.
    if has_alpha:
        clean = Image.new("RGBA", image.size)
        clean.paste(image.convert("RGBA"))
        if source_format == "WEBP":
            clean.save(output, format="WEBP", quality=85)
            extension = "webp"
        else:
            clean.save(output, format="PNG", optimize=True)
            extension = "png"
    else:
        clean = Image.new("RGB", image.size)
        clean.paste(image.convert("RGB"))
        clean.save(output, format="JPEG", quality=85, optimize=True)
        extension = "jpg"
    content = ContentFile(output.getvalue(), name=f"photo.{extension}")
    content.width, content.height = clean.size
    return content
