"""French as a French public site writes it: typography of the translations and the alphabetical order.

- `fix_french(text)` puts a no-break space (U+00A0) before ? ! ; :, inside « » and between a figure and € or %
  (« 40 % », « %(amount)s € »), leaving alone what is not
  prose: URLs, times (10:30), format placeholders (%(name)s, %s, {x}), HTML tags and entities.
  `french_typography_faults(text)` says what is missing. tools/french_typography.py runs them over the
  catalogues; concerto/core/tests/test_french.py checks the compiled ones.
- `collation_key(name)` sorts names the way a French reader expects: « Épinay » right after « Enghien »,
  « L'Haÿ-les-Roses » among the H, « Le Blanc-Mesnil » among the B (the article is set aside, as directories of
  communes do); `sort_by_name(items)` is the one way to list communes in that order.
- `euros(amount)`, `percent(value)` and `number(value)` write figures as French readers expect: « 35 000 € »,
  « 61,20 € », « 12,5 % », « 12 345 » votes (thousands grouped by the narrow no-break space U+202F, the French
  typographic norm, everywhere: amounts, counts, charts; a decimal comma; a no-break space before € and %).
  The templates use them as the filters `{{ amount|euros }}`, `{{ share|percent }}` and `{{ count|number }}`
  ({% load french %}); concerto/core/formats/fr gives Django's own `number_format`, `intcomma` and `floatformat:"g"`
  the same separator.
- `hour(moment)` writes a time as French public sites do, « 14 h 30 », « 9 h » (in the local time zone);
  `day_and_hour(moment)` « lundi 3 décembre 2026, 14 h 30 ». Filters `{{ start|hour }}`, `{{ start|day_and_hour }}`.
- `file_size(bytes)` writes a file size in the units French readers know, « 10 Mo », « 1,5 Mo », « 800 ko »
  (not Django's « 10,0 Mio »); the filter is `{{ size|file_size }}`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

NBSP = "\u00a0"
NNBSP = "\u202f"
_SPACES = NBSP + NNBSP
_PROTECTED_MARK = "\ue000"
_SPACE_MARK = "\ue001"  # &nbsp; and friends: already a no-break space
_PERCENT_MARK = "\ue002"  # %% in a format string: a per cent sign

_PROTECTED = re.compile(
    r"<[^<>]*>"                                             # HTML tags and their attributes
    r"|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);"                 # entities
    r"|\b(?:https?|ftp|mailto|tel|file|webcal):[^\s<>\"»]*"  # URLs and schemes
    r"|\bwww\.[^\s<>\"»]+"
    r"|%\([^)]*\)[#0\- +]*\d*(?:\.\d+)?[a-zA-Z%]"            # %(name)s
    r"|%[#0\- +]*\d*(?:\.\d+)?[sdifrxXeEgGc%]"              # %s, %d, %%
    r"|\{\{[^{}]*\}\}|\{%[^{}]*%\}|\{[^{}\s]*\}"           # {{ x }}, {% x %}, {x}
    r"|\d+:\d+"                                             # 10:30, 3:2
)
_SPACE_ENTITIES = {"&nbsp;", "&#160;", "&#xa0;", "&#8239;", "&#x202f;"}

# A plain space (or none) before ? ! ; : that ends a word.
_AFTER_OK = r"(?=$|[\s" + _SPACES + r"»\"')\]<…." + _PROTECTED_MARK + _SPACE_MARK + r"?!])"
_SPACE_BEFORE = re.compile(r"[ \u2009]+([?!;:])" + _AFTER_OK)
_NONE_BEFORE = re.compile(r"(?<=[^\s" + _SPACES + _SPACE_MARK + r"?!(\[«:;])([?!;:])" + _AFTER_OK)
_OPEN_QUOTE = re.compile(r"«[ \u2009]*(?=[^" + _SPACES + _SPACE_MARK + r"])")
_CLOSE_QUOTE = re.compile(r"(?<=[^" + _SPACES + _SPACE_MARK + r"])[ \u2009]*»")
# A figure (or a placeholder for one) and its unit: « 40 % », « 35 000 € ».
_UNIT = re.compile(r"(?<=[\d" + _PROTECTED_MARK + r"])[ \u2009]*(?=[€%" + _PERCENT_MARK + r"])")


def _mask(text: str) -> tuple[str, list[str]]:
    kept: list[str] = []

    def keep(match: re.Match) -> str:
        kept.append(match.group(0))
        if match.group(0) == "%%":
            return _PERCENT_MARK
        return _SPACE_MARK if match.group(0).lower() in _SPACE_ENTITIES else _PROTECTED_MARK

    return _PROTECTED.sub(keep, text), kept


def _unmask(text: str, kept: list[str]) -> str:
    pieces = iter(kept)
    return re.sub(f"[{_PROTECTED_MARK}{_SPACE_MARK}{_PERCENT_MARK}]", lambda _m: next(pieces), text)


def fix_french(text: str) -> str:
    """TEXT with the no-break spaces French typography asks for (idempotent)."""
    if not text:
        return text
    masked, kept = _mask(text)
    masked = _SPACE_BEFORE.sub(NBSP + r"\1", masked)
    masked = _NONE_BEFORE.sub(NBSP + r"\1", masked)
    masked = _OPEN_QUOTE.sub("«" + NBSP, masked)
    masked = _CLOSE_QUOTE.sub(NBSP + "»", masked)
    masked = _UNIT.sub(NBSP, masked)
    return _unmask(masked, kept)


def french_typography_faults(text: str) -> list[str]:
    """Where TEXT lacks a no-break space, as short excerpts (empty when it is right)."""
    fixed = fix_french(text)
    faults, i = [], 0
    while i < min(len(text), len(fixed)):
        if text[i] != fixed[i]:
            faults.append(f"missing no-break space in {text[max(0, i - 25):i + 5]!r}")
            return faults  # the first one is enough to find the string
        i += 1
    return faults


_SEPARATORS: dict[str, tuple[str, str, int]] = {}


def _separators() -> tuple[str, str, int]:
    """The active language's decimal and thousands separators and grouping, read from its formats once."""
    from django.utils.formats import get_format
    from django.utils.translation import get_language

    language = get_language() or ""
    if language not in _SEPARATORS:
        _SEPARATORS[language] = (get_format("DECIMAL_SEPARATOR"), get_format("THOUSAND_SEPARATOR"),
                                 get_format("NUMBER_GROUPING"))
    return _SEPARATORS[language]


def _figure(value, decimals: int) -> str:
    """VALUE with DECIMALS decimals, grouped by thousands (the active language's separators; French: a narrow
    no-break space and a decimal comma; concerto/core/formats/fr says so to Django's own number formatting too).
    Groups of three are written by Python's own format (a table of a thousand figures is read in a few
    milliseconds, where `number_format` took about a tenth of a second); other groupings go through Django."""
    decimal_separator, thousand_separator, grouping = _separators()
    if grouping == 3 and isinstance(value, int | Decimal):
        text = format(value, f",.{decimals}f") if isinstance(value, Decimal) else format(value, ",")
        text = text.replace(",", "\0").replace(".", decimal_separator).replace("\0", thousand_separator)
    else:
        from django.utils.formats import number_format

        text = number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)
    return text.replace(NBSP, NNBSP)


def _rounded(value, decimals: int) -> tuple[Decimal, int]:
    """VALUE rounded to DECIMALS decimals, and how many of them are worth showing (none when they are zeros)."""
    number = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    places = 0 if number == number.to_integral_value() else decimals
    if places:
        number = number.normalize()
        places = max(0, -number.as_tuple().exponent)
    return number, places


def number(value, decimals: int = 1) -> str:
    """A count or a measure: « 12 345 », « 3,5 » (thousands grouped by a narrow no-break space, at most DECIMALS
    decimals, none when they are zeros). None gives ""."""
    if value in (None, ""):
        return ""
    try:
        return _figure(*_rounded(value, decimals))
    except (InvalidOperation, ValueError, TypeError):
        return str(value)


def euros(amount, cents: bool | None = None) -> str:
    """An amount in euros: « 35 000 € », « 61,20 € ». Whole euros show no decimals; CENTS forces (True) or
    refuses (False) the two decimals. None (no amount) gives ""."""
    if amount in (None, ""):
        return ""
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return str(amount)
    if cents is None:
        cents = value != value.to_integral_value()
    value = value.quantize(Decimal("0.01") if cents else Decimal("1"), rounding=ROUND_HALF_UP)
    return f"{_figure(value, 2 if cents else 0)}{NBSP}€"


def percent(value, decimals: int = 1) -> str:
    """A share in percent: « 40 % », « 12,5 % » (at most DECIMALS decimals, none when they are zeros).
    None gives ""."""
    text = number(value, decimals)
    return f"{text}{NBSP}%" if text else ""


def hour(moment) -> str:
    """« 14 h 30 », « 9 h » (no-break spaces; local time). Other languages get their TIME_FORMAT. None gives ""."""
    from django.utils import timezone, translation
    from django.utils.formats import date_format

    if moment is None or moment == "":
        return ""
    if hasattr(moment, "tzinfo") and hasattr(moment, "date") and timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    if not (translation.get_language() or "fr").startswith("fr"):
        return date_format(moment, "TIME_FORMAT")
    return f"{moment.hour}{NBSP}h" + (f"{NBSP}{moment.minute:02d}" if moment.minute else "")


def day_and_hour(moment, day_format: str = "l j F Y") -> str:
    """« lundi 3 décembre 2026, 14 h 30 » (local time). None gives ""."""
    from django.utils import timezone
    from django.utils.formats import date_format

    if moment is None or moment == "":
        return ""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return f"{date_format(moment, day_format)}, {hour(moment)}"


_ARTICLE = re.compile(r"^(?:l'|le |la |les )", re.IGNORECASE)


def collation_key(name: str) -> tuple[str, str]:
    """Sort key for a French name: accents, case, hyphens and a leading article do not decide the order."""
    plain = unicodedata.normalize("NFKD", (name or "").replace("’", "'"))
    plain = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    plain = plain.replace("œ", "oe").replace("æ", "ae")
    plain = _ARTICLE.sub("", plain)
    plain = re.sub(r"[-'_.,/]+", " ", plain)
    plain = re.sub(r"\bst(e?)\b", r"saint\1", plain)
    return " ".join(plain.split()), name or ""


def sort_by_name(items: Iterable, name: Callable = lambda item: item.name) -> list:
    """ITEMS in French alphabetical order of NAME(item) (communes, territories, spaces...)."""
    return sorted(items, key=lambda item: collation_key(name(item)))


def file_size(num_bytes) -> str:
    """A file size: « 10 Mo », « 1,5 Mo », « 800 ko », « 12 octets » (steps of 1 024, as upload limits are set;
    at most one decimal, none when it is zero). None gives ""."""
    from django.utils.translation import gettext, ngettext

    if num_bytes in (None, ""):
        return ""
    try:
        size = int(num_bytes)
    except (TypeError, ValueError):
        return str(num_bytes)
    if size < 1024:
        return ngettext("%(size)s byte", "%(size)s bytes", size) % {"size": number(size)}
    units = [gettext("%(size)s KB"), gettext("%(size)s MB"), gettext("%(size)s GB")]
    value = Decimal(size)
    for unit in units:
        value /= 1024
        # 1 023,96 ko would round to « 1 024 ko »: the next unit says it better (« 1 Mo »).
        if value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) < 1024 or unit is units[-1]:
            return unit % {"size": number(value, 1)}
    return ""  # unreachable: the last unit returns
