"""Events in a chat (core.registry.Conversation): the next events of the commune, the nearest first when the
person shares where they are (a shared location, "lat, lng" or an address found by the kernel's geocoder), and a
registration through the same `registration_create` as the web form (capacity and waitlist, registration window,
verification, one per person, channel "chatbot"). Like the web form, registering needs an account: an unlinked
chat gets the reason and a link to the event's page. The ticket arrives as its QR code (an image, served to whoever
holds its signed address, see views.ticket_qr_png) and a link to the ticket page; the person may cancel there."""


from django.core import signing
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from concerto.components.events import services
from concerto.components.events.models import Event, Registration
from concerto.core import geocoding
from concerto.core.accounts.verification import VerificationRequired
from concerto.core.maps import haversine_m
from concerto.core.participation.models import Channel
from concerto.core.participation.notifications import absolute_url
from concerto.core.ratelimit import RateLimited
from concerto.core.registry import ChatStep, ChatTurn
from concerto.core.spaces.models import Component

NEXT = 5
QR_SALT = "events.ticket_qr"


def _upcoming(component, limit: int | None = NEXT):
    rows = (Event.objects.public().filter(component=component, ends_at__gte=timezone.now())
            .select_related("component__space__organisation").order_by("starts_at", "pk"))
    return list(rows[:limit] if limit else rows)


def items(organisation) -> list[tuple[str, str]]:
    components = (Component.objects.published().of_kind("events")
                  .filter(space__organisation=organisation).select_related("space").order_by("pk"))
    return [(str(component.pk), component.title) for component in components
            if component.space.is_published and _upcoming(component)]


def qr_token(registration: Registration) -> str:
    """The unguessable part of the address of REGISTRATION's QR code (signed with the site's secret)."""
    return signing.dumps(registration.pk, salt=QR_SALT)


def registration_for_qr(token: str) -> Registration | None:
    """The live registration whose QR code TOKEN names, or None (a forged token, a cancelled registration)."""
    try:
        pk = signing.loads(token, salt=QR_SALT)
    except signing.BadSignature:
        return None
    return (Registration.objects.exclude(status=Registration.Status.CANCELLED).select_related("event")
            .filter(pk=pk if isinstance(pk, int) else 0).first())


def _when(event: Event) -> str:
    return date_format(timezone.localtime(event.starts_at), "l j F Y, H\\hi")


def _point(text: str, payload: str) -> tuple[tuple[float, float] | None, str]:
    """(the point the person gave, the problem to tell them)."""
    point = geocoding.point_typed(payload, text)
    if point is not None:
        return point, ""
    if len(text) < 3:
        return None, ""
    found = geocoding.address_search(text, limit=1)
    if not found:
        return None, _("I could not find this place: here are the next events.")
    return (found[0].latitude, found[0].longitude), ""


def _listed(component, point) -> list[Event]:
    events = _upcoming(component, limit=None)
    if point is not None:
        def distance(event):
            if event.latitude is None:
                return float("inf")
            return haversine_m(point[0], point[1], event.latitude, event.longitude)

        events.sort(key=distance)
    return events[:NEXT]


def _list_steps(events, point) -> list[ChatStep]:
    steps = [ChatStep("text", _("The events nearest to you:") if point else _("Coming up:"))]
    for number, event in enumerate(events, start=1):
        lines = [f"{number}. {event.title}", _when(event)]
        if event.address:
            lines.append(event.address)
        if point is not None and event.latitude is not None:
            kilometres = haversine_m(point[0], point[1], event.latitude, event.longitude) / 1000
            lines.append(_("%(distance)s km from you") % {"distance": f"{kilometres:.1f}".replace(".", ",")})
        steps.append(ChatStep("link", "\n".join(lines), url=absolute_url(event.get_absolute_url()),
                              label=_("See the event")))
    choices = tuple((_("Register: %(number)s") % {"number": number}, f"ev:{event.pk}")
                    for number, event in enumerate(events, start=1))
    steps.append(ChatStep("question", _("To register, choose the event."), choices + ((_("Menu"), "menu"),)))
    return steps


def _ticket_steps(registration: Registration) -> list[ChatStep]:
    event = registration.event
    space = event.component.space
    args = {"org_slug": space.organisation.slug, "space_slug": space.slug, "component_id": event.component_id,
            "event_id": event.pk}
    steps = []
    if registration.status == Registration.Status.CONFIRMED:
        qr = reverse("events:ticket_qr_png", kwargs={**args, "token": qr_token(registration)})
        steps.append(ChatStep("image", _("Your ticket for “%(title)s”: show this code at the entrance (code %(code)s).")
                              % {"title": event.title, "code": services.registration_code_display(registration.code)},
                              url=absolute_url(qr)))
    steps.append(ChatStep("link", f"{event.title}\n{_when(event)}", url=absolute_url(reverse("events:ticket",
                                                                                             kwargs=args)),
                          label=_("See my ticket")))
    return steps


def turn(*, ref: str, state: dict, text: str, payload: str, person, organisation) -> ChatTurn:
    component = (Component.objects.published().of_kind("events")
                 .filter(space__organisation=organisation, pk=ref if ref.isdigit() else 0).first())
    if component is None or not _upcoming(component):
        return ChatTurn([ChatStep("text", _("No event is coming up."))], done=True)
    user = person.user if person.user is not None and person.user.is_authenticated else None
    if not state.get("step"):
        return ChatTurn([ChatStep("location", _("Share your location to see the events nearest to you first, or "
                                                "see the next ones."), ((_("Next events"), "ev:all"),
                                                                        (_("Menu"), "menu")))],
                        state={"step": "where"})
    if state["step"] == "where":
        point, problem = (None, "") if payload == "ev:all" else _point(text.strip(), payload)
        events = _listed(component, point)
        steps = [ChatStep("text", problem)] if problem else []
        return ChatTurn(steps + _list_steps(events, point), state={"step": "list", "events": [e.pk for e in events]})
    if payload.startswith("ev:cancel:"):
        return _cancel(user, payload[len("ev:cancel:"):])
    chosen = _chosen(component, state, text, payload)
    if chosen is None:
        events = [event for event in _upcoming(component, limit=None) if event.pk in state.get("events", [])]
        return ChatTurn([ChatStep("text", _("Choose one of the events listed."))] + _list_steps(events, None),
                        state=state)
    return _register(chosen, user, payload)


def _chosen(component, state: dict, text: str, payload: str) -> Event | None:
    listed = state.get("events", [])
    pk = None
    if payload.startswith("ev:"):
        pk = payload.split(":")[-1]
    elif text.strip().rstrip(".").isdigit() and 1 <= int(text.strip().rstrip(".")) <= len(listed):
        pk = listed[int(text.strip().rstrip(".")) - 1]
    if pk is None or not str(pk).isdigit() or int(pk) not in listed:
        return None
    return next((event for event in _upcoming(component, limit=None) if event.pk == int(pk)), None)


def _register(event: Event, user, payload: str) -> ChatTurn:
    page = ChatStep("link", f"{event.title}\n{_when(event)}", url=absolute_url(event.get_absolute_url()),
                    label=_("See the event"))
    if user is None:
        return ChatTurn([ChatStep("text", _("Registering needs a Concerto account: register on the event's page, "
                                            "signed in (or link this chat to your account first).")), page], done=True)
    registration = services.registration_of(user=user, event=event)
    if registration is not None:
        return ChatTurn([ChatStep("text", _("You are already registered to this event: your registration is kept as "
                                            "it was."))] + _ticket_steps(registration)
                        + [ChatStep("question", _("Do you want to cancel your registration?"),
                                    ((_("Cancel my registration"), f"ev:cancel:{event.pk}"), (_("Menu"), "menu")))],
                        state={"step": "ticket", "events": [event.pk]})
    refusal = services.registration_refusal(user=user, event=event)
    if refusal:
        return ChatTurn([ChatStep("text", refusal), page], done=True)
    if event.questions.filter(required=True).exists():
        return ChatTurn([ChatStep("link", _("This registration asks a few questions: answer them on the event's "
                                            "page."), url=absolute_url(event.get_absolute_url()),
                                  label=_("Register on the website"))], done=True)
    attendance = None
    if event.format == Event.Format.HYBRID:
        attendance = payload.split(":")[1] if payload.count(":") == 2 else None
        if attendance not in Registration.Attendance.values:
            return ChatTurn([ChatStep("question", _("Will you come to the room or follow online?"), (
                (_("In the room"), f"ev:{Registration.Attendance.IN_PERSON}:{event.pk}"),
                (_("Online"), f"ev:{Registration.Attendance.ONLINE}:{event.pk}")))],
                state={"step": "attendance", "events": [event.pk]})
    try:
        registration = services.registration_create(user=user, event=event, attendance=attendance,
                                                    channel=Channel.CHATBOT, sender=f"user:{user.pk}")
    except (services.EventError, VerificationRequired, RateLimited) as refused:
        return ChatTurn([ChatStep("text", getattr(refused, "message", "") or str(refused)), page], done=True)
    except ValidationError as error:
        return ChatTurn([ChatStep("text", " ".join(error.messages)), page], done=True)
    registration.event = event
    if registration.status == Registration.Status.CONFIRMED:
        said = _("You are registered. A confirmation email is on its way.")
    else:
        said = _("The event is full: you are on the waitlist. We will write to you if a place frees up.")
    return ChatTurn([ChatStep("text", said)] + _ticket_steps(registration), done=True)


def _cancel(user, pk: str) -> ChatTurn:
    registration = None
    if user is not None and pk.isdigit():
        event = Event.objects.filter(pk=int(pk)).select_related("component__space__organisation").first()
        registration = services.registration_of(user=user, event=event) if event is not None else None
    if registration is None:
        return ChatTurn([ChatStep("text", _("You are not registered to this event."))], done=True)
    services.registration_cancel(actor=user, registration=registration)
    return ChatTurn([ChatStep("text", _("Your registration is cancelled. Thank you for freeing your place."))],
                    done=True)
