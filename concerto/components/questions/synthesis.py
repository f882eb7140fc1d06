"""The questions' part of a space's synthesis for elected officials (manifest hook `synthesis`): the questions put
to the officials, how many wait for the committed answer, are late or answered, and the open ones, most supported
first."""

from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from concerto.components.questions.figures import figures
from concerto.components.questions.models import Question
from concerto.core.synthesis import Figure, Row, Section, Table, component_link

OPEN = 10


def sections(component) -> list[Section]:
    questions = Question.objects.public().filter(component=component)
    numbers = figures(questions)
    page = component_link(component, "index")
    figures_page = component_link(component, "questions_backoffice:figures")
    waiting = list(questions.filter(answered_at__isnull=True).order_by("-support_count", "published_at", "pk")[:OPEN])
    for question in waiting:
        question.component = component  # its address, without a query per question
    return [Section(
        _("Open questions to the elected officials: %(title)s") % {"title": component.title}, component.title, page,
        figures=[Figure(_("Questions asked"), numbers["asked"], page),
                 Figure(_("Waiting for the committed answer"), numbers["waiting"], figures_page),
                 Figure(_("Late"), numbers["late"], figures_page),
                 Figure(_("Questions answered"), numbers["answered"], figures_page),
                 *([Figure(_("Median answer time (days)"), numbers["median_days"], figures_page)]
                   if numbers["median_days"] is not None else [])],
        table=Table(_("Questions still waiting for an answer, the most supported first"),
                    [_("Question"), _("Supports"), _("Answer due by")],
                    [Row([question.title, question.support_count,
                          (_("%(date)s (late)") if question.is_late else "%(date)s")
                          % {"date": date_format(localtime(question.due_at), "j F Y")} if question.due_at else "—"],
                         question.get_absolute_url()) for question in waiting]),
        note=("" if waiting else _("Every question asked has been answered.") if numbers["asked"]
              else _("No question asked yet.")),
    )]
