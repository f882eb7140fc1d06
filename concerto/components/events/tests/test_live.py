"""During a live event: its page and the ticket lead to the live board, and registration is closed."""

import html
from datetime import timedelta

import pytest
from django.utils import timezone

from concerto.components.events import services
from concerto.components.events.models import Event
from concerto.components.events.tests.test_events import make_event
from concerto.components.events.tests.test_registrations import url

pytestmark = pytest.mark.django_db


def live_event(**fields):
    event = make_event(**fields)
    now = timezone.now()
    Event.objects.filter(pk=event.pk).update(starts_at=now - timedelta(minutes=30), ends_at=now + timedelta(hours=1))
    event.refresh_from_db()
    return event


def test_the_event_page_and_the_ticket_link_to_the_live_board_while_it_is_on(client, resident):
    event = make_event()
    registration = services.registration_create(user=resident, event=event)
    assert registration.status == "confirmed"
    assert "Ouvrir le mur en direct" not in html.unescape(client.get(url("detail", event)).content.decode())
    now = timezone.now()
    Event.objects.filter(pk=event.pk).update(starts_at=now - timedelta(minutes=5), ends_at=now + timedelta(hours=2))
    board = url("board", event)
    page = html.unescape(client.get(url("detail", event)).content.decode())
    assert "L’événement a lieu en ce moment." in page and f'href="{board}"' in page
    client.force_login(resident)
    ticket = html.unescape(client.get(url("ticket", event)).content.decode())
    assert f'href="{board}"' in ticket


def test_registration_is_closed_once_the_event_has_started(client, resident):
    event = live_event(capacity=30)
    with pytest.raises(services.EventError, match="les inscriptions sont closes"):
        services.registration_create(user=resident, event=event)
    client.force_login(resident)
    page = html.unescape(client.get(url("detail", event)).content.decode())
    assert "L’événement a commencé\u00a0: les inscriptions sont closes." in page
    assert "places restantes" not in page and "place restante" not in page  # no seats offered any more
    assert url("register", event) not in page
    response = client.post(url("register", event), {})
    assert response.status_code == 403 and not event.registrations.exists()


def test_a_cancelled_event_is_not_live(client):
    event = live_event()
    Event.objects.filter(pk=event.pk).update(cancelled_at=timezone.now())
    event.refresh_from_db()
    assert not event.is_live


def test_the_cards_of_a_live_event_say_it_is_on_not_its_places_left(client):
    """The component's list and the organisation's agenda (the commune page's and the space page's way to the
    events) share one card: once the event has started it reads « En cours », « Inscriptions closes »."""
    from django.urls import reverse

    live = live_event(capacity=30, title="Débat en cours")
    upcoming = make_event(live.component, capacity=12, title="Atelier à venir")
    space = live.component.space
    lists = [reverse("events:index", kwargs={"org_slug": space.organisation.slug, "space_slug": space.slug,
                                             "component_id": live.component_id}),
             reverse("events_organisation:agenda", args=[space.organisation.slug])]
    for address in lists:
        page = html.unescape(client.get(address).content.decode())
        live_card = page[page.index("Débat en cours"):page.index("</li>", page.index("Débat en cours"))]
        assert "En cours" in live_card and "Inscriptions closes" in live_card, address
        assert "restante" not in live_card, address
        assert "12 places restantes" in page, address  # the upcoming one still offers its places
    assert upcoming.has_started is False and live.has_started is True
