"""The event form's « Adresse » in Chromium (360 px and 1280 px, axe): the same ARIA combobox as the other
located forms, by keyboard; the chosen address places the event. The geocoder is the local fake BAN, asked by
the server only (the `page` fixture fails on any request to another host)."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from concerto.browser.helpers import address_search, expect_address_chosen, log_in
from concerto.components.events.models import Event
from concerto.testing import ComponentFactory, SpaceFactory, boundaries_import, commune, persona


@pytest.mark.parametrize("width", [360, 1280])
def test_an_agent_chooses_the_event_address_with_the_keyboard(page, site, axe_check, geocoder, width):
    boundaries_import()
    sceaux = commune("sceaux")
    persona("agent@sceaux.example.org", role="agent", organisation=sceaux, display_name="Agent de Sceaux")
    space = SpaceFactory(organisation=sceaux, slug="parc-2026", title="Réaménager le parc")
    component = ComponentFactory(space=space, kind="events", title="Rencontres")
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, site, "agent@sceaux.example.org", totp=True)
    page.wait_for_url("**/gestion/")

    page.goto(site.url + reverse("events_backoffice:create", args=["sceaux", space.slug, component.pk]))
    page.wait_for_selector(".point-widget[data-map-ready]")
    page.get_by_label("Titre").fill("Atelier vélo")
    page.get_by_label("Début", exact=True).fill("2030-05-04T10:00")
    page.get_by_label("Fin", exact=True).fill("2030-05-04T12:00")
    page.locator("#id_place_name").fill("Maison des associations")
    combobox, listbox = address_search(page)
    axe_check(page)

    page.keyboard.press("ArrowDown")
    first = listbox.get_by_role("option", name="12 Rue Houdan 92330 Sceaux")
    expect(first).to_have_attribute("aria-selected", "true")
    assert combobox.get_attribute("aria-activedescendant") == first.get_attribute("id")
    page.keyboard.press("Enter")
    expect_address_chosen(page)

    page.get_by_role("button", name="Créer l’événement").click()
    page.wait_for_url(re.compile(rf".*/{component.pk}/\d+/$"))
    event = Event.objects.get()
    assert (event.address, event.latitude, event.longitude) == ("12 Rue Houdan 92330 Sceaux", 48.77803, 2.29019)
    expect(page.get_by_role("combobox", name="Adresse")).to_have_value("12 Rue Houdan 92330 Sceaux")
    axe_check(page)
