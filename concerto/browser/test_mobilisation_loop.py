"""The whole loop of issue 18 in a real browser, checked by axe on every page: an agent of Sceaux makes a space
from a Métropole template, publishes it, says in its concertation plan that the 15-29 year-olds are to be reached;
older people take part and the participation overview shows the plan's public « toujours sous-représenté »; the agent
follows the panel's link to a campaign prefilled for that age band, previews who it reaches and sends it to the two
young residents who asked for invitations; they take part (simulated) and the panel shows the public reached and a
higher score. Then the Métropole's comparison page across communes."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from concerto.browser.helpers import log_in
from concerto.core.comparison.figures import comparison_refresh
from concerto.core.insights.population import population_import
from concerto.core.mobilisation import campaigns
from concerto.core.participation.services import contribution_record
from concerto.core.resources import services as resources
from concerto.core.spaces.models import Space
from concerto.testing import UserFactory, commune, metropole, persona

pytestmark = pytest.mark.browser

HEADER = b"insee_code,pop_0_14,pop_15_29,pop_30_44,pop_45_59,pop_60_74,pop_75_plus\n"


def _take_part(space, people):
    component = space.components.get()
    for person in people:
        contribution_record(kind="test.item", target=component, component=component, author=person)


@pytest.mark.parametrize("width", [360, 1280])
def test_plan_template_campaign_and_the_gap_closing(page, site, axe_check, width):
    sceaux = commune("sceaux")
    population_import(HEADER + b"92071,0,250,250,250,250,0\n", source="Insee test", year=2020)
    admin = persona("admin@metropole.example.org", role="admin", organisation=metropole())
    template = resources.template_declare(
        actor=admin, organisation=metropole(), slug="idees-de-quartier", name="Idées de quartier",
        summary="Recueillir les idées des habitants pendant un mois.", kind="other", audience="everyone",
        description="La commune recueille vos idées pour le quartier, puis décide en conseil municipal.",
        steps=[{"title": "Idées", "description": "", "guidance": "", "offset_days": 0, "duration_days": 60}],
        components=[{"kind": "proposals", "title": "Vos idées", "settings": {}, "step_settings": {},
                     "verified_actions": [], "content": {}}])
    agent = persona("agent@sceaux.example.org", role="agent", organisation=sceaux)
    year = timezone.localdate().year
    young = [persona(f"{name}@example.org", residence=sceaux, birth_year=year - age,
                     demographics_consent_at=timezone.now()) for name, age in (("ines", 19), ("yanis", 24))]
    for person in young:
        campaigns.campaign_optin(user=person)
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, site, agent.email, totp=True)

    # 1. A space from the Métropole's template, published
    page.goto(site.url + template.get_absolute_url())
    axe_check(page)
    page.get_by_role("link", name="Utiliser ce modèle pour Sceaux").click()
    page.get_by_label("Titre").fill("Idées pour le quartier des Blagis")
    page.get_by_label("Adresse web").fill("blagis")
    page.get_by_label("Date de début").fill((timezone.localdate() - datetime.timedelta(days=7)).isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="Créer l'espace").click()
    expect(page.get_by_text("L’espace est créé en brouillon")).to_be_visible()
    axe_check(page)
    page.goto(site.url + "/gestion/sceaux/blagis/")
    with page.expect_navigation():
        page.get_by_role("button", name="Publier l'espace").click()
    space = Space.objects.get(organisation=sceaux, slug="blagis")
    assert space.is_published

    # 2. The plan: the 15-29 year-olds are a public to reach
    page.goto(site.url + "/gestion/sceaux/blagis/plan/publics/")
    axe_check(page)
    page.get_by_label("15 à 29 ans").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer et continuer").click()

    # 3. Older people take part: the plan's public is still under-represented
    _take_part(space, [UserFactory(birth_year=year - age) for age in (50, 50, 65, 65)])
    page.goto(site.url + "/gestion/sceaux/blagis/participation/")
    panel = page.locator("#representativite")
    expect(panel.locator("strong", has_text="50\u00a0%")).to_be_visible()
    expect(panel.get_by_text("15 à 29 ans\u00a0: public visé par le plan, toujours sous-représenté",
                             exact=False)).to_be_visible()
    axe_check(page)

    # 4. The panel's campaign to that age band, previewed then sent
    with page.expect_navigation():
        panel.get_by_role("link", name="Envoyer une campagne aux personnes de 15 à 29 ans", exact=False).click()
    axe_check(page)
    page.get_by_label("Objet").fill("Vos idées pour les Blagis")
    page.get_by_label("Texte").fill("Dites-nous ce qui manque dans le quartier : il reste trois semaines.")
    page.get_by_label("Page vers laquelle mène le message").fill("/sceaux/blagis/")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer et prévisualiser").click()
    expect(page.get_by_role("heading", name="Elle atteint 2 personnes")).to_be_visible()
    axe_check(page)
    mail.outbox.clear()
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer maintenant à 2 personnes").click()
    expect(page.get_by_text("La campagne part vers 2 personnes", exact=False)).to_be_visible()
    assert sorted(message.to[0] for message in mail.outbox) == ["ines@example.org", "yanis@example.org"]
    axe_check(page)

    # 5. The young people come (simulated, with two people of 30-44): the gap closes
    _take_part(space, young + [UserFactory(birth_year=year - 35), UserFactory(birth_year=year - 35)])
    page.goto(site.url + "/gestion/sceaux/blagis/participation/")
    expect(panel.locator("strong", has_text="100\u00a0%")).to_be_visible()
    expect(panel.get_by_text("15 à 29 ans\u00a0: public visé par le plan, atteint", exact=False)).to_be_visible()
    axe_check(page)

    # 6. The Métropole's comparison across communes (the clock's job computes it), Sceaux's own place in it
    comparison_refresh()
    page.set_default_timeout(30_000)  # the page and its 130 outlines on a shared, busy machine
    page.goto(site.url + "/metropole/comparaison/?commune=sceaux")
    expect(page.get_by_role("heading", level=1)).to_have_text("Comparaison entre communes")
    expect(page.locator("#position")).to_contain_text("Sceaux")
    expect(page.get_by_role("columnheader", name="Représentativité par âge", exact=False).first).to_be_visible()
    axe_check(page)
