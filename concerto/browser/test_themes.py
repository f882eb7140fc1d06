"""The themes of a space in a real browser at 360 px, checked by axe: an agent of Sceaux reads the themes of the
proposals, opens a theme's actions and renames it; the name shows once the worker has recomputed."""

import pytest
from playwright.sync_api import expect

from concerto.browser.helpers import log_in
from concerto.components.proposals.models import Proposal
from concerto.core.texts.models import Theme
from concerto.core.texts.tests.corpus import SUBJECTS
from concerto.core.texts.themes import recompute
from concerto.testing import ComponentFactory, SpaceFactory, commune, persona

pytestmark = pytest.mark.browser


def test_an_agent_reads_and_renames_themes_at_360_px(page, site, axe_check):
    sceaux = commune("sceaux")
    agent = persona("agent@sceaux.example.org", role="agent", organisation=sceaux, display_name="Agent de Sceaux")
    space = SpaceFactory(organisation=sceaux, slug="idees-2026", title="Idées pour Sceaux")
    component = ComponentFactory(space=space, kind="proposals", published=True)
    for subject in SUBJECTS:
        for text in subject:
            title, _dot, body = text.partition(". ")
            Proposal.objects.create(component=component, title=title, text=f"<p>{body}</p>")
    recompute(space)
    first = Theme.objects.filter(space=space).first()
    page.set_viewport_size({"width": 360, "height": 800})
    log_in(page, site, agent.email, totp=True)
    page.goto(site.url + f"/gestion/sceaux/{space.slug}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Thèmes de ce que les gens ont écrit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thèmes de ce que les gens ont écrit")
    expect(page.get_by_role("heading", level=2, name=first.label)).to_be_visible()
    axe_check(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.locator(f"#theme-{first.number}").locator("xpath=..").locator("summary").click()
    page.get_by_label("Nouveau nom").first.fill("Vélo en ville")
    with page.expect_navigation():
        page.get_by_role("button", name="Renommer").first.click()
    expect(page.get_by_role("heading", level=2, name="Vélo en ville")).to_be_visible()
    axe_check(page)
