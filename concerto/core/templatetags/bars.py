"""`{{ percent|bar_class }}`: the width of a bar chart's bar as a class (`bar-w-42`), not a `style="width: …"`.

The Content-Security-Policy forbids inline styles (concerto/core/security.py), so a bar takes one of the 101
width classes of concerto.css, rounded to the nearest percent and kept between 0 and 100.
"""

from django import template

register = template.Library()


@register.filter(name="bar_class")
def bar_class(percent) -> str:
    try:
        value = round(max(0.0, min(100.0, float(percent))))
    except (TypeError, ValueError, OverflowError):
        value = 0
    return f"bar-w-{value}"
