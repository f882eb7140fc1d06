"""`{{ amount|euros }}`, `{{ share|percent }}`, `{{ votes|number }}`, `{{ start|hour }}`, `{{ start|day_and_hour }}`:
figures and times as a French public site writes them (« 14 h 30 »).

« 35 000 € », « 61,20 € », « 12,5 % », « 12 345 »: the thousands grouped by a narrow no-break space, a decimal
comma and a no-break space before € and %, so that a figure never breaks from its unit at the end of a line. The
rules live in concerto/core/french.py (`euros`, `percent`, `number`), which the Python code uses too. Back-office
times too: `|day_and_hour:"d/m/Y"` in a table, never `|date:"H:i"` (machine formats stay for CSV, `datetime`
attributes and form values).
"""

from django import template

from concerto.core import french

register = template.Library()


@register.filter(name="euros")
def euros(amount, cents=None) -> str:
    """`{{ amount|euros }}`; `{{ price|euros:True }}` always shows the cents."""
    return french.euros(amount, cents=None if cents in (None, "") else bool(cents))


@register.filter(name="percent")
def percent(value, decimals=1) -> str:
    """`{{ share|percent }}` (at most one decimal); `{{ rate|percent:0 }}` rounds to a whole percent."""
    try:
        decimals = int(decimals)
    except (TypeError, ValueError):
        decimals = 1
    return french.percent(value, decimals=decimals)


@register.filter(name="number")
def number(value, decimals=1) -> str:
    """`{{ votes|number }}`: « 12 345 » (thousands grouped by a narrow no-break space); `|number:0` rounds."""
    try:
        decimals = int(decimals)
    except (TypeError, ValueError):
        decimals = 1
    return french.number(value, decimals=decimals)


@register.filter(name="hour")
def hour(moment) -> str:
    """`{{ event.starts_at|hour }}`: « 14 h 30 », « 9 h »."""
    return french.hour(moment)


@register.filter(name="file_size")
def file_size(num_bytes) -> str:
    """`{{ attachment.file.size|file_size }}`: « 10 Mo », « 1,5 Mo », « 800 ko »."""
    return french.file_size(num_bytes)


@register.filter(name="day_and_hour")
def day_and_hour(moment, day_format="l j F Y") -> str:
    """`{{ event.starts_at|day_and_hour }}`: « lundi 3 décembre 2026, 14 h 30 »; `|day_and_hour:"j F Y"` without
    the day of the week."""
    return french.day_and_hour(moment, day_format=day_format or "l j F Y")
