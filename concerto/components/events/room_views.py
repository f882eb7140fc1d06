"""The live board during the event: the participants' page (send, vote, see the board refresh), its list
fragment for htmx polling, and the projection page for the big screen in the room."""

import io

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from concerto.components.events import room
from concerto.components.events.forms_room import BoardPostForm
from concerto.components.events.models import Event
from concerto.core.accounts.verification import action_refusal
from concerto.core.spaces.lookup import MANAGE, component_for, item_for

PROJECTION_LIMIT = 8


def get_event(request, space_slug: str, component_id: int, event_id: int) -> Event:
    """EVENT_ID of the events component in the URL, within the request's organisation. Events nobody may
    see yet are a 404 except for the organisation's managers."""
    component = component_for(request, "events", space_slug=space_slug, component_id=component_id)
    event = item_for(component, Event, event_id)
    if not event.is_public and not request.user.has_perm(MANAGE, component):
        raise Http404(_("This event does not exist."))
    return event


def _errors(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


def _board_context(request, event: Event, **extra) -> dict:
    component = event.component
    key = room.board_key(request) if request.user.is_authenticated or request.session.session_key else ""
    posts = list(room.board_posts(event))
    voted = set(event.board_posts.filter(votes__voter_key=key).values_list("pk", flat=True)) if key else set()
    for post in posts:
        post.own = bool(key) and post.author_key == key
        post.voted = post.pk in voted
    return {"event": event, "component": component, "space": component.space,
            "organisation": component.space.organisation, "posts": posts, "version": room.board_version(event),
            "refusal": room.board_refusal(event=event, user=request.user), **extra}


@require_http_methods(["GET", "POST"])
def board(request, org_slug, space_slug, component_id, event_id):
    event = get_event(request, space_slug, component_id, event_id)
    form = BoardPostForm(request.POST if request.method == "POST" else None)
    status = 200
    # Posting may be reserved to verified residents: the page says so, and where to verify, instead of the
    # form (a closed board just says it is closed). Votes stay open to all.
    verification = (action_refusal(user=request.user, component=event.component, action="board_post",
                                   next_url=request.get_full_path()) if event.live_board_open else None)
    if verification is not None:
        status = 403 if request.method == "POST" else 200
    elif request.method == "POST":
        if form.is_valid():
            try:
                room.board_post_create(event=event, text=form.cleaned_data["text"], kind=form.cleaned_data["kind"],
                                       user=request.user, author_key=room.board_key(request))
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for name, problems in error.message_dict.items():
                        form.add_error(name if name in form.fields else None, problems)
                else:
                    form.add_error(None, error.messages)
            else:
                messages.success(request, _("Your message is on the board."))
                return redirect("events:board", org_slug, space_slug, component_id, event_id)
        status = 400 if form.errors else 200
    return render(request, "events/room/board.html",
                  _board_context(request, event, form=form, verification=verification), status=status)


@require_safe
def board_posts(request, org_slug, space_slug, component_id, event_id):
    """The list of posts alone, for the participants' page to poll: 204 (htmx keeps the list) when nothing
    changed since the version the page shows."""
    event = get_event(request, space_slug, component_id, event_id)
    if request.GET.get("v") and request.GET["v"] == room.board_version(event):
        return HttpResponse(status=204)
    return render(request, "events/room/_board_posts.html", _board_context(request, event))


@require_POST
def board_vote(request, org_slug, space_slug, component_id, event_id, post_id):
    event = get_event(request, space_slug, component_id, event_id)
    post = event.board_posts.visible().filter(pk=post_id).first()
    if post is None:
        raise Http404(_("This message is no longer on the board."))
    post.event = event
    problem = ""
    try:
        room.board_vote_add(post=post, user=request.user, voter_key=room.board_key(request))
    except ValidationError as error:
        problem = " ".join(_errors(error))
    if request.htmx:
        context = _board_context(request, event, vote_problem=problem)
        return render(request, "events/room/_board_posts.html", context, status=400 if problem else 200)
    if problem:
        messages.error(request, problem)
    else:
        messages.success(request, _("Your vote is counted."))
    return redirect("events:board", org_slug, space_slug, component_id, event_id)


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    # The SVG goes inline: drop the XML declaration; the figure around it carries the text alternative.
    return svg[svg.find("<svg"):]


@require_safe
def projection(request, org_slug, space_slug, component_id, event_id):
    """For the big screen: the most voted posts, answered ones dimmed, and a QR code to join the board."""
    event = get_event(request, space_slug, component_id, event_id)
    board_url = request.build_absolute_uri(
        reverse("events:board", args=[org_slug, space_slug, component_id, event_id]))
    version = room.board_version(event)
    if request.htmx and request.GET.get("v") == version:
        return HttpResponse(status=204)
    context = {"event": event, "component": event.component, "space": event.component.space,
               "organisation": event.component.space.organisation, "version": version,
               "posts": list(room.board_posts(event, limit=PROJECTION_LIMIT)),
               "total": event.board_posts.visible().count()}
    if request.htmx:
        return render(request, "events/room/_projection_posts.html", context)
    context.update(board_url=board_url, qr_svg=mark_safe(_qr_svg(board_url)))
    return render(request, "events/room/projection.html", context)
