"""The web chat at /canaux/web/: plain forms, the same engine; proposals, budgets and the commune's choice."""

import re

import pytest
from django.utils import timezone

from concerto.channels.models import Message, Participant
from concerto.components.consultations.models import Response
from concerto.components.proposals import services as proposals
from concerto.components.proposals.models import Support
from concerto.core.participation.models import Contribution
from concerto.testing import ComponentFactory

URL = "/canaux/web/"


def page(client, **query):
    html = client.get(URL, query).content.decode().replace("\xa0", " ").replace("\u202f", " ")
    return html


def send(client, *, text: str = "", payload: str = "", nonce: str | None = None) -> str:
    html = page(client)
    nonce = nonce or re.search(r'name="nonce" value="([^"]+)"', html)[1]
    response = client.post(URL, {"text": text, "payload": payload, "nonce": nonce})
    assert response.status_code == 302
    return page(client)


def buttons(html: str) -> dict[str, str]:
    return {label.strip(): value for value, label in re.findall(r'name="payload" value="([^"]*)"[^>]*>([^<]*)<', html)}


@pytest.mark.django_db
def test_the_web_chat_asks_for_the_commune_by_postcode_then_shows_what_is_open(client, chat_consultation):
    html = page(client)
    assert "Bonjour" in html and "Dans quelle commune habitez-vous ?" in html
    html = send(client, text="92330")
    assert "Votre commune : Sceaux." in html
    assert buttons(html)["1. Le parc de demain"] == f"item:consultations:{chat_consultation.component.pk}"


@pytest.mark.django_db
def test_an_unknown_commune_is_explained(client, chat_consultation):
    page(client)
    html = send(client, text="Gotham")
    assert "Je n’ai trouvé aucune commune de la Métropole nommée « Gotham »" in html


@pytest.mark.django_db
def test_a_consultation_is_answered_in_the_web_chat_without_javascript(client, chat_consultation):
    q = chat_consultation
    page(client, commune="sceaux")
    html = send(client, payload=f"item:consultations:{q.component.pk}")
    assert "Comment venez-vous au parc ?" in html
    html = send(client, payload=buttons(html)["À pied"])
    html = send(client, payload=buttons(html)["Passer"])
    assert "Êtes-vous satisfait ?" in html
    html = send(client, text="abc")
    assert "Répondez par un nombre." in html
    html = send(client, payload=buttons(html)["5"])
    html = send(client, text="Plus d’ombre")
    assert "Merci, vos réponses sont enregistrées." in html
    assert "Voir les résultats" in html
    response = Response.objects.get(component=q.component)
    assert response.channel == "chatbot" and response.respondent is None


@pytest.mark.django_db
def test_a_form_sent_twice_is_recorded_once(client, chat_consultation):
    page(client, commune="sceaux")
    html = page(client)
    nonce = re.search(r'name="nonce" value="([^"]+)"', html)[1]
    for _attempt in range(2):
        client.post(URL, {"payload": f"item:consultations:{chat_consultation.component.pk}", "nonce": nonce})
    assert Message.objects.filter(direction="in", external_id=f"web:{nonce}").count() == 1


@pytest.mark.django_db
def test_an_account_only_consultation_explains_and_links_to_the_web(client, chat_consultation):
    chat_consultation.component.settings = {"participation": "account", "results_visibility": "public"}
    chat_consultation.component.save()
    page(client, commune="sceaux")
    html = send(client, payload=f"item:consultations:{chat_consultation.component.pk}")
    assert "Connectez-vous pour répondre à ce questionnaire." in html
    assert "Ouvrir le questionnaire" in html
    assert not Response.objects.exists()


@pytest.mark.django_db
def test_a_signed_in_resident_supports_a_proposal_from_the_chat(client, space, step, resident, author):
    component = ComponentFactory(space=space, kind="proposals", title="Idées pour Sceaux")
    idea = proposals.proposal_create(author=author, component=component, title="Des arbres fruitiers",
                                     text="Des pommiers dans chaque cour d'école.")
    client.force_login(resident)
    page(client, commune="sceaux")
    html = send(client, payload=f"item:proposals:{component.pk}")
    assert "1. Des arbres fruitiers (0)" in html
    html = send(client, payload=buttons(html)["Soutenir la 1"])
    assert "Merci, votre soutien à « Des arbres fruitiers » est compté." in html
    support = Support.objects.get(proposal=idea)
    assert support.user == resident and support.channel == "chatbot"
    assert Contribution.objects.get(kind="proposals.support").channel == "chatbot"


@pytest.mark.django_db
def test_an_anonymous_chat_cannot_support_and_is_told_why(client, space, step, author):
    component = ComponentFactory(space=space, kind="proposals", title="Idées pour Sceaux")
    proposals.proposal_create(author=author, component=component, title="Des arbres fruitiers",
                              text="Des pommiers dans chaque cour d'école.")
    page(client, commune="sceaux")
    html = send(client, payload=f"item:proposals:{component.pk}")
    html = send(client, text="1")
    assert "Connectez-vous pour soutenir une proposition." in html
    assert "Voir la proposition" in html
    assert not Support.objects.exists()


@pytest.mark.django_db
def test_a_budget_vote_is_never_cast_in_the_chat(client, space, step):
    budget = ComponentFactory(space=space, kind="budgets", title="Budget participatif 2026")
    from concerto.testing import configure

    configure(budget, step=step, voting_open=True)
    page(client, commune="sceaux")
    html = send(client, payload=f"item:budgets:{budget.pk}")
    assert "Un vote de budget participatif ne se fait jamais dans une discussion" in html
    assert "Aller au bulletin" in html and f"/{budget.pk}/voter/" in html


@pytest.mark.django_db
def test_stop_in_the_web_chat_confirms_once(client, chat_consultation):
    page(client, commune="sceaux")
    html = send(client, text="STOP")
    assert "vous ne recevrez plus aucun message" in html
    count = Message.objects.filter(direction="out").count()
    send(client, text="encore")
    assert Message.objects.filter(direction="out").count() == count
    assert Participant.objects.get().stopped_at <= timezone.now()


@pytest.mark.django_db
def test_the_commune_page_links_to_its_web_chat(client, sceaux, chat_consultation):
    html = client.get("/sceaux/").content.decode()
    assert 'href="/canaux/web/?commune=sceaux">Discuter avec votre commune</a>' in html
    html = page(client, commune="sceaux")
    assert "1. Le parc de demain" in html  # the commune is already chosen
