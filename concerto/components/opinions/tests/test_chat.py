"""Opinion debates in the web chat (/canaux/web/): the next statement as the pages choose it (Polis's priority),
the buttons agree / disagree / pass, the vote through services.vote, the next one, the end; the pages' rules of
who takes part, and an unlinked chat is asked to sign in."""

import pytest
from django.core.cache import cache

from concerto.channels.tests.test_web_chat import buttons, page, send
from concerto.components.opinions import services
from concerto.components.opinions.models import Vote
from concerto.core.participation.models import Contribution

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_menu():
    cache.clear()  # the engine keeps a commune's menu for a few seconds


def _offered(html: str) -> int:
    """The statement the chat's last question is about (its « D’accord » button says which)."""
    return int(buttons(html)["D’accord"].split(":")[1])


def test_a_resident_votes_statement_after_statement_in_the_web_chat(client, seeded, resident, author):
    statements = {statement.pk: statement for statement in seeded.statements.all()}
    services.vote(seeded.statements.order_by("pk").first(), author, 1)
    client.force_login(resident)
    html = page(client, commune="sceaux")
    assert f"item:opinions:{seeded.pk}" in html
    html = send(client, payload=f"item:opinions:{seeded.pk}")
    assert "Que pensez-vous de cette affirmation ?" in html
    # The pages' choice (Polis's priority), not another rule of the chat's own.
    first = _offered(html)
    assert first == services.next_statement(seeded, f"u{resident.pk}").pk and statements[first].text in html
    html = send(client, payload=buttons(html)["D’accord"])
    assert Vote.objects.get(user=resident).statement_id == first
    second = _offered(html)
    assert second != first and second == services.next_statement(seeded, f"u{resident.pk}").pk
    html = send(client, text="pas d’accord")
    vote = Vote.objects.get(user=resident, statement_id=second)
    assert vote.value == -1 and vote.statement_id == second
    for _n in range(3):
        html = send(client, payload=buttons(html)["Je passe / je ne sais pas"])
    assert "Vous avez voté sur toutes les affirmations" in html
    assert Vote.objects.filter(user=resident).count() == 5
    assert set(Contribution.objects.filter(kind="opinions.vote", author=resident).values_list("channel", flat=True)) \
        == {"chatbot"}


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
    assert "Connectez-vous pour participer à ce débat" in html and not Vote.objects.exists()


def test_an_unlinked_chat_is_asked_to_sign_in_even_in_a_debate_open_to_anyone(client, seeded):
    # The pages key an anonymous participant by their session; a chat has none.
    seeded.audience = "anyone"
    seeded.save()
    page(client, commune="sceaux")
    html = send(client, payload=f"item:opinions:{seeded.pk}")
    assert "Connectez-vous pour participer à ce débat" in html and not Vote.objects.exists()


def test_a_debate_reserved_to_verified_residents_says_so_in_the_chat(client, seeded, resident):
    seeded.audience = "verified"
    seeded.save()
    client.force_login(resident)
    page(client, commune="sceaux")
    html = send(client, payload=f"item:opinions:{seeded.pk}")
    assert "vérifiés" in html and not Vote.objects.exists()
