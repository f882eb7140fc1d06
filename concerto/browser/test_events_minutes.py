"""After the event, in a real browser at 360 px: an agent (2FA) types two sticky notes in a row with the
keyboard only, writes and publishes the minutes, reads the figures; a resident reads the minutes. axe on
every page."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from concerto.browser.helpers import log_in
from concerto.components.events.models import Audience, Event, Registration
from concerto.testing import ComponentFactory, SpaceFactory, StepFactory, commune, persona

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _setup():
    sceaux = commune("sceaux")
    persona("agent@sceaux.example.org", role="agent", organisation=sceaux, display_name="Agent de Sceaux")
    space = SpaceFactory(organisation=sceaux, slug="gare-2026", title="Quartier de la gare")
    StepFactory(space=space)
    ideas = ComponentFactory(space=space, kind="proposals", title="Vos idées pour la gare")
    component = ComponentFactory(space=space, kind="events", title="Rencontres")
    start = timezone.now() - timezone.timedelta(days=1)
    event = Event.objects.create(component=component, title="Atelier post-it", starts_at=start,
                                 ends_at=start + timezone.timedelta(hours=2), published=True,
                                 place_name="Salle des fêtes", contributions_component=ideas,
                                 audiences=[Audience.YOUNG_ADULTS])
    for number in range(3):
        Registration.objects.create(event=event, code=f"BROWSER{number}", name="Sur place", walk_in=number == 0,
                                    checked_in_at=start, birth_year=start.year - 20 - number)
    return event


def test_an_agent_types_notes_publishes_minutes_and_a_resident_reads_them(page, site, axe_check):  # noqa: F811
    event = _setup()
    space = event.component.space
    base = f"{site.url}/gestion/sceaux/{space.slug}/rencontres/{event.component_id}"
    log_in(page, site, "agent@sceaux.example.org", totp=True)
    page.wait_for_url("**/gestion/**")

    page.goto(f"{base}/{event.pk}/contributions/")
    axe_check(page)
    for title, text in (("Un abri à vélos", "Fermé, près de la gare."), ("Des bancs", "À l'ombre.")):
        # The title field has the focus: type, Tab to the text, type, Enter on the button.
        page.keyboard.type(title)
        page.keyboard.press("Tab")
        page.keyboard.type(text)
        page.get_by_role("button", name="Enregistrer et saisir la suivante").click()
        page.wait_for_load_state()
    assert "Enregistré (2 saisies)." in page.content()
    axe_check(page)

    page.goto(f"{base}/{event.pk}/compte-rendu/")
    expect(page.get_by_label("Participants dans la salle")).to_have_value("3")
    axe_check(page)
    page.get_by_label("Compte rendu").fill("Les participants veulent plus de vélos et d'ombre.")
    page.get_by_role("button", name="Enregistrer le compte rendu").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Publier le compte rendu").click()
    page.wait_for_load_state()
    assert "Le compte rendu est publié." in page.content()
    axe_check(page)

    page.goto(f"{base}/chiffres/")
    assert "Participation par rencontre" in page.content()
    axe_check(page)

    page.context.clear_cookies()
    page.goto(site.url + event.get_absolute_url() + "compte-rendu/")
    assert "plus de vélos" in page.content() and "2 contributions écrites" in page.content()
    axe_check(page)
