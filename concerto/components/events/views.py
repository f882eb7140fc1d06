"""Public pages of events: the list of a component (upcoming and past, filters, map), an event, registering
and cancelling, the ticket with its QR code; the organisation's agenda; and the iCalendar feeds (one event,
a space, an organisation, a person's registrations)."""

import json
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from concerto.components.events import ics, services
from concerto.components.events.forms import FilterForm, RegistrationForm
from concerto.components.events.models import Audience, Event, Registration
from concerto.core.accounts.verification import action_refusal
from concerto.core.french import sort_by_name
from concerto.core.ratelimit import rate_limited, sender_of
from concerto.core.spaces.lookup import item_for, public_component_for, space_for
from concerto.core.spaces.models import Component
from concerto.core.territory.models import Organisation

MAP_LIMIT = 500
FEED_LIMIT = 1000
# Feeds keep the recent past too, so that a calendar does not lose an event the day after.
FEED_PAST_DAYS = 90
AGENDA_PER_PAGE = 30


def get_event(request, component: Component, event_id: int, can_manage: bool) -> Event:
    """EVENT_ID of COMPONENT: unpublished or hidden ones are a 404 except for the organisation's managers."""
    event = item_for(component, Event.objects.select_related("commune"), event_id)
    if not can_manage and (not event.published or event.is_hidden):
        raise Http404(_("This event does not exist."))
    return event

def _context(component: Component, **extra) -> dict:
    return {"component": component, "space": component.space, "organisation": component.space.organisation,
            **extra}


def _tab(request) -> str:
    return "passes" if request.GET.get("quand") == "passes" else "a-venir"


def _filtered(request, events, *, communes_of):
    """EVENTS of the request's tab and filters, the filter form and the query string that keeps them."""
    now = timezone.now()
    tab = _tab(request)
    communes = sort_by_name(Organisation.objects.filter(Exists(communes_of.filter(commune=OuterRef("pk")))))
    form = FilterForm(request.GET, communes=communes)
    filters = form.filters()
    if tab == "passes":
        events = events.filter(ends_at__lte=now).order_by("-starts_at", "-pk")
    else:
        events = events.filter(ends_at__gt=now).order_by("starts_at", "pk")
    if filters.get("commune"):
        events = events.filter(commune_id=filters["commune"])
    if filters.get("du"):
        events = events.filter(starts_at__date__gte=filters["du"])
    if filters.get("type"):
        events = events.filter(kind=filters["type"])
    if filters.get("public"):
        events = events.filter(audiences__icontains=f'"{filters["public"]}"')
    params = {"quand": tab if tab == "passes" else "", "commune": filters.get("commune") or "",
              "du": filters["du"].isoformat() if filters.get("du") else "", "type": filters.get("type") or "",
              "public": filters.get("public") or ""}
    query = urlencode({key: value for key, value in params.items() if value})
    return form, filters, tab, events, query


def _annotate_places(events) -> None:
    for event in events:
        if event.capacity is not None and event.registration_enabled:
            counted = getattr(event, "confirmed_count", 0)
            event.places_left = max(0, event.capacity - counted)


@require_safe
def event_list(request, org_slug, space_slug, component_id):
    component, can_manage = public_component_for(request, "events", space_slug=space_slug, component_id=component_id)
    base = Event.objects.public().filter(component=component)
    form, filters, tab, events, query = _filtered(request, base, communes_of=base)
    page = Paginator(services.with_counts(events).select_related("commune"),
                     component.setting("events_per_page")).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for event in rows:
        event.component = component
    _annotate_places(rows)
    has_points = events.filter(latitude__isnull=False).exists()
    return render(request, "events/event_list.html", _context(
        component, form=form, filters=filters, tab=tab, page=page, events=rows, query=query,
        can_manage=can_manage, has_points=has_points, map_limit=MAP_LIMIT,
        points_url=reverse("events:points", args=[org_slug, space_slug, component.pk]) + f"?{query}",
        filtered=any(filters.values()),
    ))


@require_safe
def event_points(request, org_slug, space_slug, component_id):
    """GeoJSON FeatureCollection of the located events of the list's tab and filters (MAP_LIMIT at most)."""
    component, _can_manage = public_component_for(request, "events", space_slug=space_slug, component_id=component_id)
    base = Event.objects.public().filter(component=component)
    single = request.GET.get("evenement", "")
    if single:
        # The map of one event's page.
        events = base.filter(pk=int(single)) if single.isdigit() and len(single) < 12 else base.none()
    else:
        _form, _filters, _tab_name, events, _query = _filtered(request, base, communes_of=base)
    located = list(events.filter(latitude__isnull=False, longitude__isnull=False)
                   .values_list("id", "title", "latitude", "longitude", "starts_at")[:MAP_LIMIT + 1])
    base_url = component.get_absolute_url()
    features = [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [round(lng, 6), round(lat, 6)]},
         "properties": {"title": title, "url": f"{base_url}{pk}/",
                        "starts_at": timezone.localtime(starts_at).isoformat()}}
        for pk, title, lat, lng, starts_at in located[:MAP_LIMIT]
    ]
    body = {"type": "FeatureCollection", "features": features, "truncated": len(located) > MAP_LIMIT,
            "limit": MAP_LIMIT}
    return HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/geo+json")


@require_safe
def event_detail(request, org_slug, space_slug, component_id, event_id):
    component, can_manage = public_component_for(request, "events", space_slug=space_slug, component_id=component_id)
    event = get_event(request, component, event_id, can_manage)
    registration = services.registration_of(user=request.user, event=event)
    refusal = services.registration_refusal(user=request.user, event=event) if registration is None else ""
    # Registering may be reserved to verified residents: say so, and where to verify, instead of the button.
    verification = (action_refusal(user=request.user, component=component, action="register",
                                   next_url=request.get_full_path()) if registration is None and not refusal else None)
    return render(request, "events/event_detail.html", _context(
        component, event=event, registration=registration, refusal=refusal, verification=verification,
        can_manage=can_manage,
        places_left=services.places_left(event) if event.registration_enabled else None,
        waitlist_count=event.registrations.filter(status=Registration.Status.WAITLISTED).count(),
        is_past=event.ends_at <= timezone.now(), has_started=event.has_started,
        audience_labels=[str(Audience(value).label) for value in event.audiences if value in Audience.values],
        points_url=reverse("events:points", args=[org_slug, space_slug, component.pk]) + f"?evenement={event.pk}",
    ))


@require_http_methods(["GET", "POST"])
@rate_limited
def registration_create(request, org_slug, space_slug, component_id, event_id):
    component, can_manage = public_component_for(request, "events", space_slug=space_slug, component_id=component_id)
    event = get_event(request, component, event_id, can_manage)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    ticket_url = reverse("events:ticket", args=[org_slug, space_slug, component.pk, event.pk])
    if services.registration_of(user=request.user, event=event) is not None:
        messages.info(request, _("You are already registered to this event: your registration is kept as it was."))
        return redirect(ticket_url)
    refusal = services.registration_refusal(user=request.user, event=event)
    verification = None if refusal else action_refusal(
        user=request.user, component=component, action="register", next_url=request.get_full_path())
    form = RegistrationForm(request.POST if request.method == "POST" else None, event=event)
    status = 200
    if refusal or verification is not None:
        status = 403 if request.method == "POST" else 200
    elif request.method == "POST":
        if form.is_valid():
            try:
                registration = services.registration_create(
                    user=request.user, event=event, answers=form.answers(),
                    attendance=form.cleaned_data.get("attendance"), sender=sender_of(request))
            except services.EventError as error:
                messages.error(request, error.message)
                return redirect(event.get_absolute_url())
            except ValidationError as error:
                for name, problems in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, problems)
            else:
                if registration.status == Registration.Status.CONFIRMED:
                    messages.success(request, _("You are registered. A confirmation email is on its way."))
                else:
                    messages.success(request, _("The event is full: you are on the waitlist. We will write to you "
                                                "if a place frees up."))
                return redirect(ticket_url)
        status = 400
    return render(request, "events/registration_form.html", _context(
        component, event=event, form=form, refusal=refusal, verification=verification,
        places_left=services.places_left(event)), status=status)


@require_http_methods(["GET", "POST"])
def registration_cancel(request, org_slug, space_slug, component_id, event_id):
    component, can_manage = public_component_for(request, "events", space_slug=space_slug, component_id=component_id)
    event = get_event(request, component, event_id, can_manage)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    registration = services.registration_of(user=request.user, event=event)
    if registration is None:
        messages.info(request, _("You are not registered to this event."))
        return redirect(event.get_absolute_url())
    if request.method == "POST":
        services.registration_cancel(actor=request.user, registration=registration)
        messages.success(request, _("Your registration is cancelled. Thank you for freeing your place."))
        return redirect(event.get_absolute_url())
    return render(request, "events/registration_cancel.html", _context(
        component, event=event, registration=registration))


def _own_registration(request, space_slug, component_id, event_id):
    component, can_manage = public_component_for(request, "events", space_slug=space_slug, component_id=component_id)
    event = get_event(request, component, event_id, can_manage)
    registration = services.registration_of(user=request.user, event=event)
    if registration is None:
        raise Http404(_("You are not registered to this event."))
    registration.event = event
    return component, event, registration


@require_safe
def ticket(request, org_slug, space_slug, component_id, event_id):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    component, event, registration = _own_registration(request, space_slug, component_id, event_id)
    confirmed = registration.status == Registration.Status.CONFIRMED
    feed_url = request.build_absolute_uri(reverse("events_organisation:user_feed", kwargs={
        "org_slug": org_slug, "token": services.feed_token_for(user=request.user)}))
    return render(request, "events/ticket.html", _context(
        component, event=event, registration=registration, confirmed=confirmed,
        code_display=services.registration_code_display(registration.code),
        show_online_url=confirmed and event.format != Event.Format.IN_PERSON and bool(event.online_url)
        and event.cancelled_at is None,
        feed_url=feed_url,
        waitlist_position=(event.registrations.filter(
            status=Registration.Status.WAITLISTED, created_at__lte=registration.created_at).count()
            if registration.status == Registration.Status.WAITLISTED else None),
    ))


@require_safe
def ticket_qr(request, org_slug, space_slug, component_id, event_id):
    """The check-in code as a QR code (SVG), for the registered person only."""
    import qrcode
    import qrcode.image.svg

    if not request.user.is_authenticated:
        raise Http404(_("You are not registered to this event."))
    _component, _event, registration = _own_registration(request, space_slug, component_id, event_id)
    image = qrcode.make(registration.code, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=4)
    response = HttpResponse(image.to_string(), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_safe
def ticket_qr_png(request, org_slug, space_slug, component_id, event_id, token):
    """The check-in code as a PNG QR code, for a chat that shows the ticket as an image (Messenger and Telegram
    take no SVG). No session there: the signed TOKEN in the address is the key (events/chat.py, qr_token), and a
    cancelled registration's code is no longer served."""
    import io

    import qrcode

    from concerto.components.events.chat import registration_for_qr

    registration = registration_for_qr(token)
    if registration is None or registration.event_id != event_id or registration.event.component_id != component_id:
        raise Http404(_("You are not registered to this event."))
    output = io.BytesIO()
    qrcode.make(registration.code, box_size=10, border=4).save(output, format="PNG")
    response = HttpResponse(output.getvalue(), content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Robots-Tag"] = "noindex"
    return response


def _ics_response(document: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(document, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_safe
def event_ics(request, org_slug, space_slug, component_id, event_id):
    component, can_manage = public_component_for(request, "events", space_slug=space_slug, component_id=component_id)
    event = get_event(request, component, event_id, can_manage)
    registration = services.registration_of(user=request.user, event=event)
    online = {event.pk} if registration and registration.status == Registration.Status.CONFIRMED else set()
    return _ics_response(ics.calendar([event], online_url_for=online), f"evenement-{event.pk}.ics")


def _feed_events(events):
    since = timezone.now() - timedelta(days=FEED_PAST_DAYS)
    return list(events.filter(ends_at__gte=since).select_related("component__space__organisation")
                .order_by("starts_at", "pk")[:FEED_LIMIT])


@require_safe
def agenda(request, org_slug):
    """Every public event of the organisation and of the organisations below it, by date."""
    organisation = request.organisation
    base = services.events_of_organisation(organisation)
    form, filters, tab, events, query = _filtered(request, base, communes_of=base)
    page = Paginator(services.with_counts(events).select_related("commune", "component__space__organisation"),
                     AGENDA_PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    _annotate_places(rows)
    for event in rows:
        event.day = timezone.localtime(event.starts_at).date()
    return render(request, "events/agenda.html", {
        "organisation": organisation, "form": form, "filters": filters, "tab": tab, "page": page,
        "events": rows, "query": query, "filtered": any(filters.values()),
        "feed_url": reverse("events_organisation:feed", args=[org_slug]),
    })


@require_safe
def organisation_feed(request, org_slug):
    organisation = request.organisation
    events = _feed_events(services.events_of_organisation(organisation))
    return _ics_response(ics.calendar(events, name=organisation.name), f"agenda-{organisation.slug}.ics")


@require_safe
def space_feed(request, org_slug, space_slug):
    space = space_for(request, space_slug, published_only=True)
    events = _feed_events(Event.objects.public().filter(component__space=space))
    return _ics_response(ics.calendar(events, name=space.title), f"agenda-{space.slug}.ics")


@require_safe
def user_feed(request, org_slug, token):
    """A person's registrations, for their calendar application: the token in the address is the key."""
    user = services.feed_user(token)
    if user is None:
        raise Http404(_("This calendar address is not valid any more."))
    registrations = (Registration.objects.filter(user=user).exclude(status=Registration.Status.CANCELLED)
                     .select_related("event__component__space__organisation"))
    since = timezone.now() - timedelta(days=FEED_PAST_DAYS)
    rows = [r for r in registrations.filter(event__ends_at__gte=since).order_by("event__starts_at")[:FEED_LIMIT]
            if r.event.is_public]
    online = {r.event_id for r in rows if r.status == Registration.Status.CONFIRMED}
    response = _ics_response(ics.calendar([r.event for r in rows], name=_("My events"), online_url_for=online),
                             "mes-inscriptions.ics")
    response["Cache-Control"] = "private, no-store"
    return response
