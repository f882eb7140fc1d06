"""The public minutes of an event: what was said, how many came, the files, and what was entered from
the room into the space's proposals or questionnaire."""

from django.http import Http404
from django.shortcuts import render
from django.template import TemplateDoesNotExist
from django.template.loader import select_template
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from concerto.components.events import minutes as services
from concerto.components.events.models import Event
from concerto.core.spaces.lookup import MANAGE, component_for, item_for

HEADER = "events/_event_header.html"


def _header() -> str | None:
    try:
        return select_template([HEADER]).template.name
    except TemplateDoesNotExist:
        return None


@require_safe
def minutes(request, org_slug, space_slug, component_id, event_id):
    """Published minutes of a public event; the organisation's managers also see them before publishing."""
    component = component_for(request, "events", space_slug=space_slug, component_id=component_id)
    event = item_for(component, Event.objects.select_related(
        "commune", "contributions_component__space__organisation"), event_id)
    not_found = Http404(_("These minutes do not exist or are not published."))
    record = services.minutes_of(event)
    can_manage = request.user.has_perm(MANAGE, component)
    if not can_manage and (record is None or record.published_at is None or not event.is_public):
        raise not_found
    if record is None:
        raise not_found
    target = services.room_target(event)
    return render(request, "events/minutes/minutes.html", {
        "event": event, "minutes": record, "component": event.component, "space": event.component.space,
        "organisation": event.component.space.organisation, "header_template": _header(),
        "attachments": list(record.attachments.order_by("created_at", "pk")),
        "room_count": event.room_contributions.count(),
        "target": target if target is not None and target.published and target.space.is_published else None,
        "can_manage": can_manage,
    })
