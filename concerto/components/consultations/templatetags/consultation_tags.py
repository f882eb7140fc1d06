"""Template helpers of the consultations pages."""

from django import template

register = template.Library()


@register.filter
def question_rows(form, section):
    """(question, field, other field or None) for each question of SECTION in a ResponseForm."""
    return form.question_rows(section)

