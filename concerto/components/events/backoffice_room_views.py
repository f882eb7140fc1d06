"""Back-office of the room: the check-in page for the agent at the door (typed or scanned code, walk-ins,
counters, undo) and the moderation of the live board (open/close, hide/restore, mark answered).

Every view is for the managers of the organisation named in the URL (moderators may moderate the board
too); the event must belong to an events component of one of its spaces, anything else is a 404.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import select_template
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from concerto.components.events import room
from concerto.components.events.forms_room import CheckinForm, HideForm, WalkInForm
from concerto.components.events.models import Event, Registration
from concerto.components.events.permissions import MODERATE_BOARD
from concerto.core.accounts.decorators import backoffice_view
from concerto.core.security import permissions_allow
from concerto.core.spaces.lookup import component_for, item_for

MANAGE = "spaces.manage_space"
RECENT = 10


def _event(request, space_slug: str, component_id: int, event_id: int) -> Event:
    component = component_for(request, "events", space_slug=space_slug, component_id=component_id)
    return item_for(component, Event, event_id)

def _tabs_template() -> str | None:
    """The events helper's tabs, when they exist (the page works without them)."""
    try:
        select_template(["events/backoffice/_tabs.html"])
    except TemplateDoesNotExist:
        return None
    return "events/backoffice/_tabs.html"


def _context(event: Event, **extra) -> dict:
    component = event.component
    return {"event": event, "component": component, "space": component.space,
            "organisation": component.space.organisation, "tabs_template": _tabs_template(), **extra}


def _checkin_context(request, event: Event, **extra) -> dict:
    recent = list(event.registrations.filter(checked_in_at__isnull=False, status=Registration.Status.CONFIRMED)
                  .select_related("user").order_by("-checked_in_at", "-pk")[:RECENT])
    for registration in recent:
        registration.person = room.person_name(registration)
        registration.time = room.time_label(registration.checked_in_at)
    return _context(event, counts=room.checkin_counts(event), recent=recent,
                    walk_in_form=extra.pop("walk_in_form", None) or WalkInForm(), **extra)


@require_http_methods(["GET", "POST"])
@permissions_allow("camera")  # the QR codes of the tickets are read with the phone's camera
@backoffice_view(MANAGE)
def checkin(request, org_slug, space_slug, component_id, event_id):
    """GET: the door page. POST: check in a code (or admit a waitlisted person), or undo a check-in."""
    event = _event(request, space_slug, component_id, event_id)
    if request.method == "POST" and request.POST.get("undo"):
        return _undo(request, event)
    form = CheckinForm(request.POST if request.method == "POST" else None)
    result = refusal = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                result = room.checkin_record(agent=request.user, event=event, code=form.cleaned_data["code"],
                                             admit_waitlisted=form.cleaned_data["admit"],
                                             over_capacity=form.cleaned_data["over_capacity"])
            except room.CheckinRefused as error:
                refusal = error
                status = 409 if error.reason in ("already", "waitlisted") else 400
            else:
                result.person = room.person_name(result)
                result.door_answers = room.door_answers(result)
                form = CheckinForm()  # ready for the next person
        else:
            status = 400
    if refusal is not None and refusal.registration is not None:
        refusal.person = room.person_name(refusal.registration)
    return render(request, "events/backoffice/room/checkin.html", _checkin_context(
        request, event, form=form, result=result, refusal=refusal,
        code=room.code_normalise(request.POST.get("code", ""))[:16] if refusal is not None else ""), status=status)


def _undo(request, event: Event):
    try:
        registration_id = int(request.POST.get("undo", ""))
    except ValueError:
        registration_id = 0
    registration = event.registrations.filter(pk=registration_id).select_related("user").first()
    if registration is None:
        messages.error(request, _("This registration does not exist."))
    else:
        try:
            room.checkin_undo(agent=request.user, event=event, registration=registration)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Check-in of %(name)s undone.") % {"name": room.person_name(registration)})
    return redirect("events_backoffice:checkin", request.organisation.slug, event.component.space.slug,
                    event.component_id, event.pk)


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def walk_in(request, org_slug, space_slug, component_id, event_id):
    event = _event(request, space_slug, component_id, event_id)
    if request.method == "GET":
        return redirect("events_backoffice:checkin", org_slug, space_slug, component_id, event_id)
    walk_in_form = WalkInForm(request.POST)
    if walk_in_form.is_valid():
        try:
            registration = room.walk_in_add(agent=request.user, event=event, name=walk_in_form.cleaned_data["name"],
                                            attendance=walk_in_form.cleaned_data["attendance"],
                                            over_capacity=walk_in_form.cleaned_data["over_capacity"])
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for name, problems in error.message_dict.items():
                    walk_in_form.add_error(name if name in walk_in_form.fields else None, problems)
            else:
                walk_in_form.add_error(None, error.messages)
        else:
            messages.success(request, _("Walk-in added and checked in: %(name)s.") % {
                "name": room.person_name(registration)})
            return redirect("events_backoffice:checkin", org_slug, space_slug, component_id, event_id)
    return render(request, "events/backoffice/room/checkin.html", _checkin_context(
        request, event, form=CheckinForm(), walk_in_form=walk_in_form, walk_in_open=True), status=400)


@require_http_methods(["GET", "POST"])
@backoffice_view(MODERATE_BOARD)
def board_moderation(request, org_slug, space_slug, component_id, event_id):
    """Open or close the board, hide or restore a post, mark it answered. Each POST names one action."""
    event = _event(request, space_slug, component_id, event_id)
    if request.method == "POST":
        _moderate(request, event)
        return redirect("events_backoffice:board", org_slug, space_slug, component_id, event_id)
    posts = list(event.board_posts.order_by("hidden_at", "-vote_count", "created_at", "pk"))
    return render(request, "events/backoffice/room/board.html", _context(
        event, posts=posts, visible_count=sum(1 for post in posts if not post.is_hidden)))


def _moderate(request, event: Event) -> None:
    action = request.POST.get("action", "")
    if action in ("open", "close"):
        room.board_open_set(actor=request.user, event=event, open=action == "open")
        messages.success(request, _("The live board is open.") if action == "open"
                         else _("The live board is closed."))
        return
    try:
        post_id = int(request.POST.get("post", ""))
    except ValueError:
        post_id = 0
    post = event.board_posts.filter(pk=post_id).first()
    if post is None:
        messages.error(request, _("This message does not exist."))
        return
    post.event = event
    if action == "hide":
        form = HideForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        room.board_post_hide(moderator=request.user, post=post, reason=reason)
        messages.success(request, _("The message is hidden from the board and the projection."))
    elif action == "restore":
        room.board_post_restore(moderator=request.user, post=post)
        messages.success(request, _("The message is back on the board."))
    elif action in ("answered", "unanswered"):
        room.board_post_answer(moderator=request.user, post=post, answered=action == "answered")
        messages.success(request, _("The message is marked answered.") if action == "answered"
                         else _("The message is no longer marked answered."))
    else:
        messages.error(request, _("Unknown action."))

