"""Opinion debates in the web chat (/canaux/web/): the statement with the fewest votes first, the buttons agree
/ disagree / pass, the vote through services.vote, the next one, the end; an unlinked chat is asked to sign in."""

import pytest
from django.core.cache import cache

from concerto.channels.tests.test_web_chat import buttons, page, send
from concerto.components.opinions import chat, services
from concerto.components.opinions.models import Vote

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_menu():
    cache.clear()  # the engine keeps a commune's menu for a few seconds


def test_a_resident_votes_statement_after_statement_in_the_web_chat(client, seeded, resident, author):
    statements = list(seeded.statements.order_by("pk"))
    services.vote(statements[0], author, 1)  # the first has a vote: the chat offers the second first
    client.force_login(resident)
    html = page(client, commune="sceaux")
    assert f"item:opinions:{seeded.pk}" in html
    html = send(client, payload=f"item:opinions:{seeded.pk}")
    assert statements[1].text in html and "Que pensez-vous de cette affirmation ?" in html
    html = send(client, payload=buttons(html)["D’accord"])
    assert Vote.objects.get(user=resident).statement == statements[1]
    assert statements[2].text in html
    html = send(client, text="pas d’accord")
    assert Vote.objects.get(user=resident, statement=statements[2]).value == -1
    for _n in range(3):
        html = send(client, payload=buttons(html)["Je passe / je ne sais pas"])
    assert "Vous avez voté sur toutes les affirmations" in html
    assert Vote.objects.filter(user=resident).count() == 5


def test_an_unknown_answer_asks_again_and_stop_ends(client, seeded, resident):
    client.force_login(resident)
    page(client, commune="sceaux")
    send(client, payload=f"item:opinions:{seeded.pk}")
    html = send(client, text="peut-être")
    assert "Choisissez d’accord, pas d’accord ou je passe." in html and not Vote.objects.exists()
    html = send(client, payload=buttons(html)["J’ai fini"])
    assert "Merci pour vos votes." in html


def test_an_unlinked_chat_is_asked_to_sign_in(client, seeded):
    page(client, commune="sceaux")
    html = send(client, payload=f"item:opinions:{seeded.pk}")
    assert "Connectez-vous pour participer à ce débat." in html and not Vote.objects.exists()


def test_the_next_statement_is_the_least_voted_one_not_yet_voted(seeded, resident, author):
    statements = list(seeded.statements.order_by("pk"))
    for statement in statements[:3]:
        services.vote(statement, author, 1)
    assert chat.next_statement(seeded, resident) == statements[3]
    services.vote(statements[3], resident, 0)
    assert chat.next_statement(seeded, resident) == statements[4]
    services.vote(statements[4], resident, 0)
    assert chat.next_statement(seeded, resident) == statements[0]
