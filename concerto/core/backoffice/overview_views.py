"""The participation overview (core/participation/overview.py) of an organisation or of one of its spaces, as
a page of charts with their tables, printable for a council meeting, and as a CSV. Elected officials read it
(`spaces.read_space`)."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from concerto.core.accounts.decorators import backoffice_view
from concerto.core.accounts.permissions import MANAGE, READ
from concerto.core.charts import chart_rows
from concerto.core.exports import export_response
from concerto.core.insights.representativeness import representativeness_for
from concerto.core.mobilisation.advice import plan_advice
from concerto.core.participation.dialogue import dialogue_for
from concerto.core.participation.overview import overview_for
from concerto.core.spaces.lookup import space_for


def _representativeness(organisation, space, today) -> dict:
    """The representativeness panel: the whole (with its channels), each component of a space, whether the process
    is still open (the suggested actions are for then), the events components to link to, and for a space what
    its concertation plan planned (core/mobilisation/advice.py)."""
    from concerto.core.spaces.models import Component

    components = []
    if space is not None:
        for component in Component.objects.filter(space=space).order_by("position", "pk"):
            result = representativeness_for(organisation=organisation, component=component, today=today)
            if result.participants:
                components.append((component, result))
    open_now = space is None or (space.status == space.Status.PUBLISHED
                                 and (space.end_date is None or space.end_date >= today))
    events = Component.objects.filter(kind="events", space__organisation=space.organisation if space else organisation)
    result = representativeness_for(organisation=organisation, space=space, today=today, channels=True,
                                    quartiers=True)
    return {"result": result, "components": components, "open": open_now,
            "events": events.select_related("space").order_by("-space__start_date", "pk").first(),
            "plan": plan_advice(space, result, today) if space is not None and open_now else None}


def _page(request, space=None):
    organisation = request.organisation
    overview = overview_for(organisation=organisation, space=space)
    today = timezone.localdate()
    return render(request, "backoffice/overview.html", {
        "organisation": organisation, "space": space, "overview": overview,
        "charts": [(f"chart-{index}", chart) for index, chart in enumerate(overview.charts)],
        "today": today, "representativeness": _representativeness(organisation, space, today),
    })


def _csv(request, space=None):
    from django.utils.translation import gettext as _

    overview = overview_for(organisation=request.organisation, space=space)
    name = f"participation-{request.organisation.slug}{'-' + space.slug if space else ''}.csv"
    return export_response(list(chart_rows(overview.charts)), [_("Figure"), _("Item"), _("Value")], name,
                           stream=False)


@require_safe
@backoffice_view(MANAGE, read=READ)
def organisation_overview(request, org_slug):
    return _page(request)


@require_safe
@backoffice_view(MANAGE, read=READ)
def organisation_overview_csv(request, org_slug):
    return _csv(request)


@require_safe
@backoffice_view(MANAGE, read=READ)
def space_overview(request, org_slug, space_slug):
    return _page(request, space_for(request, space_slug))


@require_safe
@backoffice_view(MANAGE, read=READ)
def space_overview_csv(request, org_slug, space_slug):
    return _csv(request, space_for(request, space_slug))


@require_safe
@backoffice_view(MANAGE, read=READ)
def dialogue(request, org_slug):
    """The organisation's dialogue figures (core/participation/dialogue.py): followers, digests, push, polls'
    channels, questions to the elected officials."""
    figures = dialogue_for(organisation=request.organisation)
    return render(request, "backoffice/dialogue.html", {
        "organisation": request.organisation, "dialogue": figures,
        "charts": [(f"chart-{index}", chart) for index, chart in enumerate(figures.charts)],
        "today": timezone.localdate(),
    })


@require_safe
@backoffice_view(MANAGE, read=READ)
def dialogue_csv(request, org_slug):
    from django.utils.translation import gettext as _

    figures = dialogue_for(organisation=request.organisation)
    return export_response(list(chart_rows(figures.charts)), [_("Figure"), _("Item"), _("Value")],
                           f"dialogue-{request.organisation.slug}.csv", stream=False)
