"""On a phone (360 px), a member of an association confirms the invitation from their account, then posts a
proposal « au nom de » the association, and the proposal shows it; axe on each page."""

import re

from django.utils import timezone
from playwright.sync_api import expect

from concerto.browser.helpers import log_in
from concerto.components.proposals import services
from concerto.core.mobilisation import members
from concerto.core.mobilisation.models import Actor
from concerto.testing import ComponentFactory, SpaceFactory, StepFactory, commune, persona


def test_a_member_posts_a_proposal_on_behalf_of_the_association_and_it_shows(page, site, axe_check):
    sceaux = commune("sceaux")
    agent = persona("agent@sceaux.example.org", role="agent", organisation=sceaux)
    person = persona("habitante@example.org", display_name="Camille Martin", residence=sceaux)
    space = SpaceFactory(organisation=sceaux, slug="budget-2026", title="Budget participatif 2026")
    StepFactory(space=space, title="Dépôt des idées", start_date=timezone.localdate(),
                end_date=timezone.localdate() + timezone.timedelta(days=20))
    component = ComponentFactory(space=space, kind="proposals", title="Vos idées pour Sceaux")
    services.category_create(actor=agent, component=component, name="Nature en ville")
    association = Actor.objects.create(organisation=sceaux, name="Les Amis du Parc", kind="association")
    members.member_add(actor=agent, item=association, email=person.email)

    page.set_viewport_size({"width": 360, "height": 800})
    log_in(page, site, person.email)
    page.goto(site.url + "/compte/profil/")
    page.get_by_role("link", name="Mes organisations").click()
    page.wait_for_url("**/compte/organisations/")
    axe_check(page)
    page.get_by_role("button", name=re.compile("je contribue au nom de Les Amis du Parc")).click()
    expect(page.get_by_text("Vous pouvez maintenant contribuer au nom de Les Amis du Parc.")).to_be_visible()
    axe_check(page)

    page.goto(site.url + component.get_absolute_url())
    page.get_by_role("link", name="Déposer une proposition").click()
    page.wait_for_url("**/deposer/")
    page.get_by_label("Titre de votre proposition").fill("Des nichoirs dans le parc")
    page.get_by_label("Décrivez votre proposition").fill("L’association posera et suivra vingt nichoirs.")
    page.get_by_label("Catégorie").select_option(label="Nature en ville")
    page.get_by_label("Vous contribuez").select_option(label="Au nom de Les Amis du Parc")
    axe_check(page)
    page.get_by_role("button", name="Publier ma proposition").click()
    page.wait_for_url(re.compile(r".*/propositions/\d+/\d+/$"))
    expect(page.get_by_text("Camille Martin — au nom de Les Amis du Parc", exact=False)).to_be_visible()
    axe_check(page)
