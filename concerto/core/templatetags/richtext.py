"""`{{ value|richtext }}`: show text written by people, cleaned to the safe subset of concerto.core.richtext."""

from django import template

from concerto.core.richtext import render_rich_text

register = template.Library()


@register.filter(name="richtext")
def richtext(value):
    return render_rich_text(str(value or ""))
