"""An elected official's journey in a real browser, at 360 px and 1280 px, every page checked by axe: the
dashboard, the space, the proposals list (read only), the participation overview and its CSV; then the
refusal page of a personal-data page, which says what is true about the role."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from concerto.browser.helpers import log_in
from concerto.core.participation.services import contribution_record
from concerto.testing import ComponentFactory, SpaceFactory, commune, persona

pytestmark = pytest.mark.browser


def _world():
    from concerto.components.events.models import Event, Registration
    from concerto.components.proposals.models import Proposal

    sceaux = commune("sceaux")
    elected = persona("elu@sceaux.example.org", role="elected", organisation=sceaux, display_name="Élue de Sceaux")
    resident = persona("habitante@example.org", display_name="Habitante", birth_year=1980)
    space = SpaceFactory(organisation=sceaux, slug="budget-2026", title="Budget participatif 2026")
    ideas = ComponentFactory(space=space, kind="proposals", title="Idées pour le parc")
    events = ComponentFactory(space=space, kind="events", title="Rencontres")
    for index, (channel, supports) in enumerate((("web", 12), ("web", 4), ("paper", 0))):
        proposal = Proposal.objects.create(component=ideas, author=resident, title=f"Idée n° {index + 1}",
                                           text="<p>Des bancs.</p>", support_count=supports)
        contribution_record(kind="proposals.proposal", target=proposal, component=ideas, author=resident,
                            channel=channel, residence=sceaux,
                            created_at=timezone.now() - datetime.timedelta(days=7 * index))
    starts = timezone.now() + datetime.timedelta(days=5)
    event = Event.objects.create(component=events, title="Atelier du parc", starts_at=starts, published=True,
                                 ends_at=starts + datetime.timedelta(hours=2), capacity=30)
    Registration.objects.create(event=event, user=resident, code="PARC2026")
    return sceaux, elected, space, ideas, events, event


@pytest.mark.parametrize("width", [360, 1280])
def test_an_elected_official_reads_the_space_the_proposals_and_the_overview(page, site, axe_check, width):
    _sceaux, elected, _space, ideas, _events, _event = _world()
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, site, elected.email, totp=True)
    page.goto(site.url + "/gestion/")
    axe_check(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Sceaux").first.click()
    with page.expect_navigation():
        page.get_by_role("link", name="Budget participatif 2026").click()
    axe_check(page)
    expect(page.get_by_role("link", name="Modifier l’espace")).to_have_count(0)
    with page.expect_navigation():
        page.get_by_role("link", name="Idées pour le parc").click()
    expect(page.locator("td", has_text="Idée n° 1").first).to_be_visible()
    expect(page.get_by_role("link", name="Répondre")).to_have_count(0)  # read only: no answer link
    axe_check(page)
    page.go_back()
    with page.expect_navigation():
        page.get_by_role("link", name="La participation dans cet espace : chiffres et graphiques").click()
    expect(page.get_by_role("heading", name="Contributions par canal")).to_be_visible()
    assert page.locator("svg.chart").count() >= 4
    page.get_by_text("Voir les chiffres dans un tableau").first.click()
    expect(page.get_by_role("table").first).to_be_visible()
    assert "juin" in page.content() or "semaine du" in page.content()
    axe_check(page)
    page.emulate_media(media="print")  # printed for a council meeting: no menus, the charts stay
    expect(page.locator("nav.bo-nav")).to_be_hidden()
    expect(page.locator("svg.chart").first).to_be_visible()
    page.emulate_media(media="screen")
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger les chiffres (CSV)").click()
    content = open(download.value.path(), encoding="utf-8-sig").read()
    assert "Contributions par canal,Site web,2" in content and "Idée n° 1,12" in content


@pytest.mark.parametrize("width", [360, 1280])
def test_a_personal_data_page_refuses_an_official_with_the_reason(page, site, axe_check, width):
    _sceaux, elected, space, _ideas, events, event = _world()
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, site, elected.email, totp=True)
    page.goto(site.url + f"/gestion/sceaux/{space.slug}/rencontres/{events.pk}/{event.pk}/inscrits/")  # the figures
    expect(page.get_by_text("1 confirmé")).to_be_visible()
    assert "habitante@example.org" not in page.content()
    axe_check(page)
    registrations = f"/gestion/sceaux/{space.slug}/rencontres/{events.pk}/{event.pk}/inscrits/"
    response = page.goto(site.url + registrations + "export.csv")
    assert response.status == 403
    expect(page.get_by_text("Votre rôle d’élu donne accès en lecture")).to_be_visible()
    assert "pas aux données personnelles" in page.content()
    axe_check(page)
