"""On a phone (360 px), a confirmed member of an association asks an elected official a question « au nom de » it;
the question's page says so, and the public list once a moderator kept it; axe on each page."""

import re

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from concerto.browser.helpers import log_in
from concerto.components.questions.models import Question
from concerto.core.mobilisation import members
from concerto.core.mobilisation.models import Actor
from concerto.core.participation.services import moderation_dismiss
from concerto.testing import ComponentFactory, SpaceFactory, StepFactory, commune, persona


def test_a_member_asks_a_question_on_behalf_of_the_association_and_it_shows(page, site, axe_check):
    sceaux = commune("sceaux")
    agent = persona("agent@sceaux.example.org", role="agent", organisation=sceaux)
    moderator = persona("moderation@sceaux.example.org", role="moderator", organisation=sceaux)
    person = persona("habitante@example.org", display_name="Camille Martin", residence=sceaux)
    space = SpaceFactory(organisation=sceaux, slug="questions-2026", title="Questions aux élus")
    StepFactory(space=space, title="Questions", start_date=timezone.localdate(),
                end_date=timezone.localdate() + timezone.timedelta(days=20))
    component = ComponentFactory(space=space, kind="questions", title="Vos questions aux élus")
    association = Actor.objects.create(organisation=sceaux, name="Les Amis du Parc", kind="association")
    members.member_confirm(user=person, member=members.member_add(actor=agent, item=association,
                                                                  email=person.email))

    page.set_viewport_size({"width": 360, "height": 800})
    log_in(page, site, person.email)
    page.goto(site.url + reverse("questions:ask", args=["sceaux", space.slug, component.pk]))
    page.get_by_label("Votre question").fill("Quand rouvre le kiosque du parc ?")
    page.get_by_label("Vous contribuez").select_option(label="Au nom de Les Amis du Parc")
    axe_check(page)
    page.get_by_role("button", name="Envoyer ma question").click()
    page.wait_for_url(re.compile(r".*/\d+/$"))
    expect(page.get_by_text("Au nom de Les Amis du Parc")).to_be_visible()
    axe_check(page)

    moderation_dismiss(moderator=moderator, content=Question.objects.get())
    page.goto(site.url + component.get_absolute_url())
    expect(page.get_by_text("Au nom de Les Amis du Parc").first).to_be_visible()
    axe_check(page)
