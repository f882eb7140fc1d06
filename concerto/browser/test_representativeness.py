"""The representativeness panel of a space's participation overview in a real browser, at 360 px and 1280 px,
checked by axe: an agent sees the score, the table of age bands, the most under-represented publics and the
suggested actions; then simulated participation of young people closes the gap and the score rises."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from concerto.browser.helpers import log_in
from concerto.core.insights.population import population_import
from concerto.core.participation.services import contribution_record
from concerto.testing import ComponentFactory, SpaceFactory, UserFactory, commune, persona

pytestmark = pytest.mark.browser

HEADER = b"insee_code,pop_0_14,pop_15_29,pop_30_44,pop_45_59,pop_60_74,pop_75_plus\n"


def _participate(component, ages):
    year = timezone.localdate().year
    for age in ages:
        person = UserFactory(birth_year=year - age)
        contribution_record(kind="test.item", target=component, component=component, author=person)


@pytest.mark.parametrize("width", [360, 1280])
def test_an_agent_sees_the_gap_and_sees_it_close(page, site, axe_check, width):
    sceaux = commune("sceaux")
    population_import(HEADER + b"92071,0,250,250,250,250,0\n", source="Insee test", year=2020)
    agent = persona("agent@sceaux.example.org", role="agent", organisation=sceaux, display_name="Agent")
    space = SpaceFactory(organisation=sceaux, slug="plu", title="Révision du PLU")
    ideas = ComponentFactory(space=space, kind="proposals", title="Idées")
    _participate(ideas, [50, 50, 65, 65])  # only 45-74: score 50 %
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, site, agent.email, totp=True)
    page.goto(site.url + "/gestion/sceaux/plu/participation/")
    panel = page.locator("#representativite")
    expect(panel.get_by_role("heading", name="Les participants ressemblent-ils à la population\u00a0?")).to_be_visible()
    expect(panel.locator("strong", has_text="50\u00a0%")).to_be_visible()
    expect(panel.get_by_role("table", name="Participants et habitants par tranche d’âge")).to_be_visible()
    expect(panel.get_by_text("15 à 29 ans\u00a0: 0\u00a0% des participants, 25\u00a0% des habitants.")).to_be_visible()
    expect(panel.get_by_role("link", name="Écrire une lettre d’information sur la démarche")).to_be_visible()
    axe_check(page)
    _participate(ideas, [20, 20, 35, 35])  # the young people and the 30-44 come
    page.reload()
    expect(panel.locator("strong", has_text="100\u00a0%")).to_be_visible()
    expect(panel.get_by_text("Ce que vous pouvez faire avant la clôture")).to_have_count(0)
    axe_check(page)
