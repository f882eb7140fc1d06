"""Quick polls in the web chat (/canaux/web/): the answers as buttons, the why, then the same poll_answer with the
chatbot channel; a closed poll or a second answer is explained."""

import pytest
from django.core.cache import cache

from concerto.channels.tests.test_web_chat import buttons, page, send
from concerto.components.polls import services
from concerto.components.polls.models import Answer
from concerto.core.participation.models import Contribution

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_menu():
    cache.clear()  # the engine keeps a commune's menu for a few seconds


def test_a_signed_in_resident_answers_in_one_tap_in_the_web_chat(client, poll, resident):
    client.force_login(resident)
    html = page(client, commune="sceaux")
    assert f"item:polls:{poll.pk}" in html
    html = send(client, payload=f"item:polls:{poll.pk}")
    assert "Faut-il piétonniser la rue Houdan le dimanche ?" in html
    html = send(client, payload=buttons(html)["Oui"])
    assert "Merci : votre réponse est enregistrée." in html and "Oui : 100 % (1)" in html
    answer = Answer.objects.get()
    assert answer.user == resident and answer.channel == "chatbot"
    assert Contribution.objects.get().channel == "chatbot"
    html = send(client, payload=f"item:polls:{poll.pk}")
    assert "Vous avez déjà répondu à ce sondage." in html and Answer.objects.count() == 1


def test_the_chat_asks_why_and_refuses_an_oversized_one(client, why_poll, resident):
    client.force_login(resident)
    page(client, commune="sceaux")
    html = send(client, payload=f"item:polls:{why_poll.pk}")
    html = send(client, payload=buttons(html)["Bancs"])
    html = send(client, payload=buttons(html)["Jeux"])
    assert "Bancs, Jeux" in html
    html = send(client, payload=buttons(html)["J’ai fini"])
    assert "Pourquoi ? Dites-le en quelques mots." in html
    html = send(client, text="x" * 1200)
    assert "1 200 caractères ; 1 000 au plus" in html and not Answer.objects.exists()


def test_an_unlinked_chat_is_asked_to_sign_in(client, poll):
    page(client, commune="sceaux")
    html = send(client, payload=f"item:polls:{poll.pk}")
    assert "Connectez-vous pour répondre" in html and not Answer.objects.exists()


def test_a_closed_poll_is_no_longer_offered(client, poll, agent, resident):
    services.poll_close(actor=agent, poll=poll)
    client.force_login(resident)
    html = page(client, commune="sceaux")
    assert f"item:polls:{poll.pk}" not in html
    html = send(client, payload=f"item:polls:{poll.pk}")
    assert "Merci" not in html and not Answer.objects.exists()
