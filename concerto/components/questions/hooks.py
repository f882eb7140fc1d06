"""The manifest's hook for the person's email digest."""

from django.utils.text import Truncator

from concerto.components.questions.models import Question


def digest_section(user, since) -> list[tuple[str, str, str]]:
    """The public answers, since SINCE, to the questions USER asked or supported (at most ten)."""
    answers = Question.objects.answers_for(user, since=since).select_related("component__space__organisation")
    return [(question.title, question.get_absolute_url(), Truncator(question.answer_text).chars(300))
            for question in answers[:10]]
