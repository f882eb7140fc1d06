"""Checks on uploaded images, for the forms of every component (news images, later proposals...).

One implementation lives in concerto.core.uploads (type by content, size, dimensions, Pillow verify);
components import it from here, next to the other participation tools they use.
"""

from concerto.core.uploads import ALLOWED_IMAGE_FORMATS, MAX_IMAGE_SIDE, validate_image_upload

__all__ = ["ALLOWED_IMAGE_FORMATS", "MAX_IMAGE_SIDE", "validate_image_upload"]
