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


def test_a_resident_writes_statements_in_the_chat_through_the_pages_rules(client, seeded, resident):
    """« Proposer une affirmation »: the next message is the statement, written by services.write_statement (its
    length and duplicate rules, moderation before publication here); a near duplicate shows the similar statements
    and waits for « Envoyer la mienne quand même »; the word « écrire » does the same without buttons (SMS)."""
    client.force_login(resident)
    page(client, commune="sceaux")
    html = send(client, payload=f"item:opinions:{seeded.pk}")
    html = send(client, payload=buttons(html)["Proposer une affirmation"])
    assert "Écrivez votre affirmation en un message" in html and "280 caractères" in html
    html = send(client, text="Trop long. " * 40)
    assert "280" in html and "Écrivez votre affirmation" in html and seeded.statements.count() == 5
    near = "Piétonniser la rue Houdan chaque dimanche."
    assert services.near_duplicates(seeded, near)  # the engine's own verdict, the chat only relays it
    html = send(client, text=near)
    assert "Il faut piétonniser la rue Houdan le dimanche." in html and seeded.statements.count() == 5
    html = send(client, payload=buttons(html)["Envoyer la mienne quand même"])
    written = seeded.statements.get(author=resident)
    assert written.text == near and written.status == "pending"
    assert "dès qu’un modérateur l’aura lue" in html
    assert Contribution.objects.get(kind="opinions.statement", author=resident).channel == "chatbot"
    assert "Que pensez-vous de cette affirmation ?" in html  # back to voting
    html = send(client, text="écrire")
    assert "Écrivez votre affirmation en un message" in html
    html = send(client, text="Une médiathèque ouverte le dimanche soir.")
    assert seeded.statements.filter(author=resident).count() == 2 and "Que pensez-vous" in html
    # Cancelling goes back to voting and writes nothing.
    html = send(client, payload=buttons(html)["Proposer une affirmation"])
    html = send(client, payload=buttons(html)["Annuler"])
    assert "Que pensez-vous de cette affirmation ?" in html and seeded.statements.filter(author=resident).count() == 2
    send(client, text="écrire")
    html = send(client, text="Annuler")  # typed, as on SMS: not a statement
    assert "Que pensez-vous de cette affirmation ?" in html and seeded.statements.filter(author=resident).count() == 2


def test_once_every_statement_is_voted_the_chat_offers_to_write_one(client, seeded, resident):
    client.force_login(resident)
    page(client, commune="sceaux")
    html = send(client, payload=f"item:opinions:{seeded.pk}")
    for _n in range(5):
        html = send(client, payload=buttons(html)["Je passe / je ne sais pas"])
    assert "Vous avez voté sur toutes les affirmations" in html
    html = send(client, payload=buttons(html)["Proposer une affirmation"])
    html = send(client, text="Des toilettes publiques près du marché.")
    assert seeded.statements.filter(author=resident).exists() and "Vous avez voté sur toutes" in html
    html = send(client, payload=buttons(html)["J’ai fini"])
    assert "Merci pour vos votes." in html
