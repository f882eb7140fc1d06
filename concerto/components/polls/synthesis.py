"""The quick polls' part of a space's synthesis for elected officials (manifest hook `synthesis`): each published
poll with its number of answers, linked to its page (where its results are)."""

from django.db.models import Count
from django.utils.translation import gettext as _

from concerto.components.polls.hooks import statistics
from concerto.components.polls.models import Poll
from concerto.core.synthesis import Figure, Row, Section, Table, component_link


def sections(component) -> list[Section]:
    polls = list(Poll.objects.public().filter(component=component).annotate(answer_count=Count("answers"))
                 .order_by("-opens_at", "-pk")[:20])
    for poll in polls:
        poll.component = component  # its address, without a query per poll
    page = component_link(component, "index")
    numbers = statistics(component)
    return [Section(
        _("Quick polls: %(title)s") % {"title": component.title}, component.title, page,
        figures=[Figure(_("Polls"), numbers["polls"], page), Figure(_("Answers"), numbers["answers"], page)],
        table=Table(_("Polls and their answers"), [_("Question"), _("Answers")],
                    [Row([poll.question, poll.answer_count], poll.get_absolute_url()) for poll in polls])
        if polls else None,
        note="" if polls else _("No poll published yet."),
    )]
