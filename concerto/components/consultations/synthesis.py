"""The consultation's part of a space's synthesis for elected officials (manifest hook `synthesis`): the responses
sent and how they arrived, and where its results are read (the results page and its open-data file when they are
public, the questionnaire's back-office page otherwise)."""

from django.db.models import Count
from django.utils.translation import gettext as _

from concerto.components.consultations.manifest import statistics
from concerto.components.consultations.models import Response
from concerto.components.consultations.open_datasets import results_are_public
from concerto.core.participation.models import Channel
from concerto.core.synthesis import Figure, Row, Section, Table, component_link


def sections(component) -> list[Section]:
    numbers = statistics(component)
    public = results_are_public(component)
    questionnaire = component_link(component, "consultations_backoffice:index")
    results = component_link(component, "results") if public else questionnaire
    channels = dict(Channel.choices)
    by_channel = (Response.objects.filter(component=component, status=Response.Status.SUBMITTED)
                  .values_list("channel").annotate(n=Count("pk")).order_by("-n"))
    return [Section(
        _("Consultation: %(title)s") % {"title": component.title}, component.title, results,
        component_link(component, "csv") if public else "",
        figures=[Figure(_("Responses sent"), numbers["responses"], results),
                 Figure(_("Questions"), numbers["questions"], questionnaire)],
        table=Table(_("Responses by channel"), [_("Channel"), _("Responses")],
                    [Row([str(channels.get(key, key)), n], results) for key, n in by_channel]),
        note="" if public else _("The results are not public: they are read in the back-office."),
    )]
