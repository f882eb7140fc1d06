"""The web chat on a phone: a person answers a consultation to the end with buttons and a text box, without an
account (htmx replaces the conversation after each answer); axe on every step; the response is counted with the
chat's channel."""

from playwright.sync_api import expect

from concerto.components.consultations import building
from concerto.components.consultations.models import Question, Response
from concerto.testing import ComponentFactory, SpaceFactory, StepFactory, commune, persona

Kind = Question.Kind


def _setup():
    sceaux = commune("sceaux")
    agent = persona("agent@sceaux.example.org", role="agent", organisation=sceaux)
    space = SpaceFactory(organisation=sceaux, slug="parc", title="Le parc de demain")
    StepFactory(space=space, title="Questionnaire")
    component = ComponentFactory(space=space, kind="consultations", title="Votre avis sur le parc",
                                 settings={"participation": "anonymous", "results_visibility": "public"})
    section = building.section_create(actor=agent, component=component, title="Vos habitudes")
    building.question_create(actor=agent, section=section, kind=Kind.SINGLE, required=True,
                             label="Comment venez-vous au parc ?", options=["À pied", "À vélo", "En voiture"])
    building.question_create(actor=agent, section=section, kind=Kind.MULTIPLE, max_choices=2,
                             label="Qu'y faites-vous ?", options=["Promenade", "Sport", "Pique-nique"])
    building.question_create(actor=agent, section=section, kind=Kind.SCALE, scale="1-5", required=True,
                             label="Êtes-vous satisfait du parc ?", scale_min_label="Pas du tout",
                             scale_max_label="Tout à fait")
    building.question_create(actor=agent, section=section, kind=Kind.LONG_TEXT, label="Vos idées")
    return component


def test_the_web_chat_answers_a_consultation_to_the_end_on_a_phone(page, site, axe_check):
    from django.core.cache import cache

    cache.clear()  # the commune's chat menu is cached for 30 s
    component = _setup()
    page.goto(site.url + "/canaux/web/")
    expect(page.get_by_role("heading", name="Discuter avec votre commune")).to_be_visible()
    axe_check(page)
    page.get_by_label("Votre réponse").fill("92330")
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_text("Votre commune : Sceaux.")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="1. Votre avis sur le").click()
    expect(page.get_by_text("Comment venez-vous au parc ?")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="À vélo").click()
    expect(page.get_by_text("Qu'y faites-vous ?")).to_be_visible()
    page.get_by_role("button", name="Promenade").click()
    expect(page.get_by_text("Déjà choisi : Promenade.")).to_be_visible()
    page.get_by_role("button", name="Sport").click()
    expect(page.get_by_text("Déjà choisi : Promenade, Sport.")).to_be_visible()
    page.get_by_role("button", name="J’ai fini").click()
    expect(page.get_by_text("Êtes-vous satisfait du parc ?")).to_be_visible()
    page.get_by_role("button", name="4", exact=True).click()
    expect(page.get_by_text("Vos idées")).to_be_visible()
    page.get_by_label("Votre réponse").fill("Plus de bancs à l'ombre")
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_text("Merci, vos réponses sont enregistrées.")).to_be_visible()
    axe_check(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    axe_check(page)
    page.get_by_role("link", name="Voir les résultats").click()
    expect(page.get_by_role("heading", name="Par où les réponses sont arrivées")).to_be_visible()
    expect(page.locator(".result").first).to_contain_text("Assistant conversationnel")
    response = Response.objects.get(component=component)
    assert response.channel == "chatbot" and response.answers.count() == 5
