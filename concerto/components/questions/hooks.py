"""The manifest's hook for the person's email digest."""

from django.utils.text import Truncator

from concerto.components.questions.models import Question


def digest_section(user, since) -> list[tuple[str, str, str]]:
    """The public answers, since SINCE, to the questions USER asked or supported (at most ten)."""
    answers = Question.objects.answers_for(user, since=since).select_related("component__space__organisation")
    return [(question.title, question.get_absolute_url(), Truncator(question.answer_text).chars(300))
            for question in answers[:10]]


def dialogue(components) -> list:
    """The commune's dialogue figures (kernel hook `dialogue`): the public questions of COMPONENTS asked, answered,
    answered late, waiting for the committed answer, and the median time to answer."""
    from django.db.models import F
    from django.utils.translation import gettext

    from concerto.components.questions.figures import figures
    from concerto.core.charts import Chart

    questions = Question.objects.public().filter(component__in=components)
    numbers = figures(questions)
    late = questions.filter(answered_at__isnull=False, due_at__lt=F("answered_at")).count()
    charts = [Chart(gettext("Questions to the elected officials"), [
        (gettext("Questions asked"), numbers["asked"]), (gettext("Questions answered"), numbers["answered"]),
        (gettext("Answered after the deadline"), late),
        (gettext("Waiting for the committed answer"), numbers["waiting"]),
    ], value_label=gettext("Questions"), summary=gettext(
        "Published questions; the commune commits to answer those that reach the supports threshold."))]
    if numbers["median_days"] is not None:
        charts.append(Chart(gettext("Median answer time"), [(gettext("Median"), numbers["median_days"])],
                            unit=gettext("days"), value_label=gettext("Days"),
                            summary=gettext("From the publication of a question to its answer: half of the "
                                            "answered questions took less time.")))
    return charts
