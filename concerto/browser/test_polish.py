"""The last rough edges of the six-persona walk-through (issue 13), at 360 px and 1280 px with axe: a resident
reads « En cours » on the agenda card of a meeting that has started, never its places left; an agent reads the
proposals' dates in words in the back-office; the Métropole's administrator reads the upload limit as « 10 Mo »."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from concerto.browser.helpers import log_in
from concerto.components.events import services as events
from concerto.components.events.models import Event
from concerto.components.proposals import services as proposals
from concerto.components.proposals.models import Proposal
from concerto.testing import ComponentFactory, SpaceFactory, commune, metropole, persona

WIDTHS = [360, 1280]


def _event(component, title, starts_at, capacity):
    event = events.event_create(
        actor=None, component=component, title=title, kind=Event.Kind.PUBLIC_MEETING, format=Event.Format.IN_PERSON,
        description="<p>Le parc.</p>", starts_at=starts_at, ends_at=starts_at + timedelta(hours=2),
        place_name="Salle des fêtes", address="1 rue Houdan", capacity=capacity)
    events.event_publish(actor=None, event=event)
    return event


@pytest.mark.parametrize("width", WIDTHS)
def test_the_agenda_card_of_a_meeting_that_has_started_says_it_is_on(page, site, axe_check, width):
    sceaux = commune("sceaux")
    space = SpaceFactory(organisation=sceaux, slug="parc-2026", title="Aménagement du parc")
    component = ComponentFactory(space=space, kind="events", title="Rencontres du parc")
    live = _event(component, "Débat sur le parc", timezone.now() + timedelta(days=1), 40)
    Event.objects.filter(pk=live.pk).update(starts_at=timezone.now() - timedelta(minutes=20))
    _event(component, "Atelier des jardiniers", timezone.now() + timedelta(days=3), 12)
    page.set_viewport_size({"width": width, "height": 800})

    for address in (reverse("events_organisation:agenda", args=["sceaux"]),
                    reverse("events:index", args=["sceaux", space.slug, component.pk])):
        page.goto(site.url + address)
        live_card = page.get_by_role("listitem").filter(has=page.get_by_role("link", name="Débat sur le parc"))
        expect(live_card).to_contain_text("En cours")
        expect(live_card).to_contain_text("Inscriptions closes")
        expect(live_card).not_to_contain_text("restante")
        upcoming = page.get_by_role("listitem").filter(has=page.get_by_role("link", name="Atelier des jardiniers"))
        expect(upcoming).to_contain_text("12 places restantes")
        axe_check(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_proposals_back_office_writes_dates_in_words(page, site, axe_check, width):
    sceaux = commune("sceaux")
    persona("agent@sceaux.example.org", role="admin", organisation=sceaux)
    author = persona("habitante@example.org", display_name="Camille Martin", residence=sceaux)
    space = SpaceFactory(organisation=sceaux, slug="idees-2026", title="Idées 2026")
    component = ComponentFactory(space=space, kind="proposals", title="Vos idées")
    proposal = proposals.proposal_create(author=author, component=component, title="Un composteur au square",
                                         text="Pour les épluchures du quartier.")
    Proposal.objects.filter(pk=proposal.pk).update(created_at=timezone.make_aware(datetime(2026, 12, 6, 10, 0)))
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, site, "agent@sceaux.example.org", totp=True)

    page.goto(site.url + reverse("proposals_backoffice:index", args=["sceaux", space.slug, component.pk]))
    row = page.get_by_role("row").filter(has_text="Un composteur au square")
    expect(row).to_contain_text("6 décembre 2026")
    expect(row).not_to_contain_text("06/12/2026")
    axe_check(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_metropole_administrator_reads_the_upload_limit_in_mo(page, site, axe_check, width):
    persona("admin@metropole.example.org", role="admin", organisation=metropole(),
            display_name="Administratrice de la Métropole")
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, site, "admin@metropole.example.org", totp=True)

    page.goto(site.url + reverse("territory_backoffice:boundaries", args=[metropole().slug]))
    expect(page.get_by_role("main")).to_contain_text("10\u00a0Mo")
    expect(page.get_by_role("main")).not_to_contain_text("Mio")
    axe_check(page)
