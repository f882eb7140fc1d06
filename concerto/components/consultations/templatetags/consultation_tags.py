"""Template helpers of the consultations pages."""

from django import template

register = template.Library()


@register.filter
def question_rows(form, section):
    """(question, field, other field or None) for each question of SECTION in a ResponseForm."""
    return form.question_rows(section)


@register.filter
def bar_width(percent) -> str:
    """A CSS width for a bar of PERCENT (a dot decimal whatever the language)."""
    try:
        value = max(0.0, min(100.0, float(percent)))
    except (TypeError, ValueError):
        value = 0.0
    return f"{value:.1f}%"
