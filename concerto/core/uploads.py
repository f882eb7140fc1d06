"""The one pipeline for files people upload: every image (report photos, proposal and budget-project
images, progress-update photos, news and space images, organisation logos, minutes attachments) and every
document (PDF).

An uploaded file is untrusted: its name and declared type say nothing. Pillow opens it, checks that the
bytes really are an image of an accepted format, and reads its dimensions without decoding the pixels,
so a huge or crafted file is refused before anything stores or resizes it (`validate_image_upload`, for
forms). Then `image_clean` re-encodes the pixels into a fresh image, turned upright: nothing of the
original's metadata (EXIF with the GPS position and the device, XMP, ICC, comments) is stored. A PDF is
checked by its signature and end marker and its size (`document_clean`); it is stored as sent, since the
project has no PDF rewriter: its metadata (author, producer) stays.
"""

import io
import warnings
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import slugify
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from concerto.core.french import file_size

ALLOWED_IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_IMAGE_SIDE = 6000


def validate_image_upload(file) -> None:
    """Raise ValidationError (in the user's language) unless FILE is a JPEG, PNG or WebP image within limits.

    FILE is an uploaded file (or any file object with `size`, `read` and `seek`); it is left rewound,
    and renamed with the extension of its real format (see `_rename`). A form calls it to show the error
    next to the field; the service then stores `image_clean(file)`.
    """
    if file is None:
        return
    _rename(file, _checked_format(file, settings.CONCERTO_MAX_IMAGE_BYTES))


def _checked_format(file, max_bytes: int) -> str:
    """The format of the image FILE holds; ValidationError if it is not one we accept, or too large."""
    size = getattr(file, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(
            _("The image is too large (%(size)s). The maximum is %(max)s.")
            % {"size": file_size(size), "max": file_size(max_bytes)},
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
    return image_format


def image_clean(file, *, max_bytes: int | None = None, max_side: int | None = None, jpeg: bool = False,
                name: str = "") -> ContentFile:
    """A new file holding only FILE's pixels, upright, re-encoded without any metadata, to store instead
    of FILE. Checks FILE first (see `validate_image_upload`; MAX_BYTES defaults to the site's limit) and
    raises ValidationError with a clear message.

    MAX_SIDE shrinks the picture to at most that many pixels on its long side. The format stays the one
    sent (JPEG, PNG or WebP), except with JPEG true, for photos: an image without transparency becomes a
    JPEG (a photo sent as PNG would be ten times larger). NAME is the file's stem (default: the sent
    name, as a slug). The result has `width` and `height` set."""
    source_format = _checked_format(file, settings.CONCERTO_MAX_IMAGE_BYTES if max_bytes is None else max_bytes)
    not_an_image = ValidationError(
        _("This file is not an image we accept. Send a JPEG, PNG or WebP image."), code="not_an_image")
    try:
        file.seek(0)
        with Image.open(file) as original:
            image = ImageOps.exif_transpose(original)
            image.load()
        output_format, data, (width, height) = _reencoded(image, source_format, max_side=max_side, jpeg=jpeg)
    except Exception:  # Pillow raises many kinds of errors on truncated or crafted files.
        raise not_an_image from None
    stem = name or slugify(PurePath(getattr(file, "name", "") or "").stem)[:80] or "image"
    content = ContentFile(data, name=f"{stem}.{EXTENSIONS[output_format]}")
    content.width, content.height = width, height
    return content


def uploaded_image_clean(image, *, field: str = "image", **options):
    """IMAGE as a service should store it: a new upload goes through `image_clean` (OPTIONS are its own),
    anything else (None, False for "remove", a file already stored) comes back as it is. Errors are raised
    as ValidationError({FIELD: [...]}), ready for the form's field."""
    if not isinstance(image, UploadedFile):
        return image
    try:
        return image_clean(image, **options)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None


def _reencoded(image, source_format: str, *, max_side, jpeg: bool):
    """(format, bytes, size) of IMAGE's pixels alone, saved again (see image_clean)."""
    if max_side:
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    output_format = "JPEG" if (jpeg and not has_alpha) or source_format == "JPEG" else source_format
    has_alpha = has_alpha and output_format != "JPEG"
    # A fresh image holds only pixels: nothing of the original's info (EXIF, XMP, ICC, comments) is copied.
    clean = Image.new("RGBA" if has_alpha else "RGB", image.size)
    clean.paste(image.convert(clean.mode))
    output = io.BytesIO()
    if output_format == "JPEG":
        clean.save(output, format="JPEG", quality=85, optimize=True)
    elif output_format == "PNG":
        clean.save(output, format="PNG", optimize=True)
    else:
        clean.save(output, format="WEBP", quality=85)
    return output_format, output.getvalue(), clean.size


def _is_pdf(file) -> bool:
    """A PDF starts with its signature and ends with an end-of-file marker near the end."""
    try:
        file.seek(0)
        head = file.read(1024)
        size = getattr(file, "size", None) or 0
        file.seek(max(0, size - 2048))
        tail = file.read()
    except Exception:  # a truncated or closed upload is not a PDF we can keep
        return False
    finally:
        try:
            file.seek(0)
        except Exception:  # noqa: S110 - nothing more to do with a closed file
            pass
    return head.lstrip()[:5] == b"%PDF-" and b"%%EOF" in tail[-2048:]


def document_clean(file, *, max_bytes: int, images: bool = True):
    """The file to store for FILE, a document: a PDF (checked by its signature and end marker, renamed
    `<name>.pdf`, kept as sent) or, with IMAGES true, an image (through `image_clean`). Raises
    ValidationError with a clear message: too large, empty, or neither."""
    if file is None:
        raise ValidationError(_("Choose a file to attach."))
    size = getattr(file, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(_("The file is too large (%(size)s). The maximum is %(max)s.")
                              % {"size": file_size(size), "max": file_size(max_bytes)})
    if size == 0:
        raise ValidationError(_("The file is empty."))
    if _is_pdf(file):
        stem = slugify(PurePath(file.name or "").stem)[:80] or "document"
        file.name = f"{stem}.pdf"
        return file
    if images:
        try:
            return image_clean(file, max_bytes=max_bytes)
        except ValidationError as error:
            if error.code != "not_an_image":
                raise
    raise ValidationError(_("This file is neither a PDF nor an image we accept. "
                            "Send a PDF, or a JPEG, PNG or WebP image.") if images else _("This file is not a PDF."))


def _rename(file, image_format: str) -> None:
    """Give FILE a plain name with the extension of the format Pillow found.

    A web server picks the Content-Type of a stored file from its extension: a PNG uploaded as
    "page.html" or "logo.svg" would be served as a page or an SVG and run scripts on the site's origin.
    """
    # Only a new upload: renaming a file already stored would point its field at nothing.
    if isinstance(file, UploadedFile) and file.name:
        stem = slugify(PurePath(file.name).stem)[:80] or "image"
        file.name = f"{stem}.{EXTENSIONS[image_format]}"


class ImageWithAltFormMixin:
    """For a form with an optional `image` and its `image_alt`: a new upload goes through
    `validate_image_upload` (the error shows next to the field), and an image needs its description.
    Put it before `forms.Form` in the bases."""

    def clean_image(self):
        image = self.cleaned_data.get("image")
        if isinstance(image, UploadedFile):
            validate_image_upload(image)
        return image

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("image") and not (cleaned.get("image_alt") or "").strip():
            self.add_error("image_alt", _("Describe the image for people who cannot see it."))
        return cleaned
