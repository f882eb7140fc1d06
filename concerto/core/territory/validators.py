"""Checks on what a collectivité may set about itself."""

import math
import re

from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
# WCAG 2.1 AA for normal text (success criterion 1.4.3).
MIN_CONTRAST = 4.5


def relative_luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of a '#rrggbb' colour, from 0 (black) to 1 (white)."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def validate_accent_color(value: str) -> None:
    """A commune's accent colour: '#rrggbb', dark enough for white text on it (contrast at least 4.5:1)."""
    if not isinstance(value, str) or not HEX_COLOUR.fullmatch(value):
        raise ValidationError(
            _("Enter a colour as # followed by 6 hexadecimal digits, for example #1d4ed8."),
            code="invalid_colour",
        )
    ratio = contrast_ratio(value, "#ffffff")
    if ratio < MIN_CONTRAST:
        raise ValidationError(
            _("This colour is too light for white text: its contrast is %(ratio)s to 1, "
              "and at least 4.5 to 1 is needed. Choose a darker colour."),
            code="low_contrast",
            # Rounded down, so that 4.499 never shows as the 4.5 it fails to reach.
            params={"ratio": number_format(math.floor(ratio * 100) / 100, 2)},
        )
