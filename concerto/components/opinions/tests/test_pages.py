"""The debate's pages as people see them: the list, voting one statement at a time (without JavaScript and with htmx),
changing a vote, writing a statement, refusals in French, the results page with and without groups."""

import html
import random

import pytest
from django.urls import reverse
from django.utils import timezone

from concerto import testing
from concerto.components.opinions import services
from concerto.components.opinions.models import Conversation, Statement, Vote
from concerto.testing import ComponentFactory

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def url(conversation, name):
    return conversation.url_for(f"opinions:{name}")


def test_the_list_shows_published_debates_only(client, debate, debates):
    Conversation.objects.create(component=debates, question="Brouillon secret")
    page = text(client.get(reverse("opinions:index", args=["sceaux", debates.space.slug, debates.pk])))
    assert "Comment rendre le centre-ville plus agréable ?" in page and "Brouillon secret" not in page


def test_an_unpublished_debate_or_component_is_a_404_for_people_a_page_for_the_team(client, debates, agent):
    draft = Conversation.objects.create(component=debates, question="Brouillon")
    for name in ("detail", "results"):
        assert client.get(url(draft, name)).status_code == 404
    assert client.post(url(draft, "vote"), {"statement": 1, "value": 1}).status_code == 404
    testing.login_with_mfa(client, agent)
    assert client.get(url(draft, "detail")).status_code == 200
    hidden = ComponentFactory(space=debates.space, kind="opinions", published=False)
    other = Conversation.objects.create(component=hidden, question="Ailleurs", published_at=timezone.now())
    client.logout()
    assert client.get(url(other, "detail")).status_code == 404


def test_voting_three_statements_without_javascript(client, debate):
    page = text(client.get(url(debate, "detail")))
    assert "Encore 3 affirmations" in page
    assert "Comment ça marche" in page and "Tout le monde peut participer, sans compte." in page
    for _left in (2, 1, 0):
        statement_id = int(client.get(url(debate, "detail")).content.decode().split(
            'name="statement" value="')[1].split('"')[0])
        response = client.post(url(debate, "vote"), {"statement": statement_id, "value": "1"}, follow=True)
        assert response.status_code == 200 and "Votre vote est enregistré." in text(response)
    page = text(response)
    assert "Vous avez voté sur toutes les affirmations." in page
    key = client.session["opinions_participant"]
    assert Vote.objects.filter(participant=f"s{key}").count() == 3 and "Modifier mon vote" in page


def test_with_htmx_only_the_card_comes_back_with_the_next_statement(client, debate, resident):
    client.force_login(resident)
    first = debate.statements.first()
    response = client.post(url(debate, "vote"), {"statement": first.pk, "value": "-1"}, HTTP_HX_REQUEST="true")
    page = text(response)
    assert response.status_code == 200 and "<html" not in page and 'id="vote"' in page
    assert "Votre vote est enregistré." in page and "Encore 2 affirmations" in page
    assert f'name="statement" value="{first.pk}"' not in page and 'name="statement"' in page


def test_coming_back_to_a_statement_changes_the_vote(client, debate, resident):
    client.force_login(resident)
    first = debate.statements.first()
    client.post(url(debate, "vote"), {"statement": first.pk, "value": "1"})
    page = text(client.get(url(debate, "detail") + f"?enonce={first.pk}"))
    assert f'name="statement" value="{first.pk}"' in page and "Votre vote\u00a0: D’accord." in page
    client.post(url(debate, "vote"), {"statement": first.pk, "value": "-1"})
    assert Vote.objects.get(statement=first).value == -1 and Vote.objects.count() == 1


@pytest.mark.parametrize("data, message", [
    ({"statement": "abc", "value": "1"}, "Cette affirmation ne fait pas partie de ce débat."),
    ({"statement": "999999", "value": "1"}, "Cette affirmation ne fait pas partie de ce débat."),
    ({"value": "1"}, "Cette affirmation ne fait pas partie de ce débat."),
    ({"statement": "FIRST", "value": "7"}, "Choisissez d’accord, pas d’accord ou je passe."),
    ({"statement": "FIRST", "value": "oui"}, "Choisissez d’accord, pas d’accord ou je passe."),
    ({"statement": "HIDDEN", "value": "1"}, "Cette affirmation n’est pas affichée"),
])
def test_bad_votes_get_a_french_error_and_change_nothing(client, debate, data, message):
    hidden = Statement.objects.create(conversation=debate, text="Rejetée", status="rejected")
    first = debate.statements.first()
    data = {key: {"FIRST": first.pk, "HIDDEN": hidden.pk}.get(value, value) for key, value in data.items()}
    response = client.post(url(debate, "vote"), data)
    assert response.status_code == 400 and message in text(response)
    response = client.post(url(debate, "vote"), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and message in text(response)
    assert not Vote.objects.exists()


def test_a_closed_debate_is_read_only(client, debate):
    debate.closes_at = timezone.now()
    debate.save()
    page = text(client.get(url(debate, "detail")))
    assert "Ce débat est clos" in page and 'name="value"' not in page and 'name="text"' not in page
    response = client.post(url(debate, "vote"), {"statement": debate.statements.first().pk, "value": "1"})
    assert response.status_code == 400 and "Ce débat est clos" in text(response)
    assert client.get(url(debate, "results")).status_code == 200


def test_a_debate_for_account_holders_asks_to_sign_in(client, debate):
    debate.audience = Conversation.Audience.ACCOUNT
    debate.save()
    page = text(client.get(url(debate, "detail")))
    assert "Connectez-vous pour participer à ce débat" in page and "/compte/login/?next=" in page


def test_writing_a_statement_and_its_errors(client, debate, resident):
    client.force_login(resident)
    response = client.post(url(debate, "write"), {"text": "x" * 300})
    page = text(response)
    assert response.status_code == 400 and "280 caractères au plus (la vôtre en a 300)" in page
    assert "x" * 300 in page  # what was typed is kept
    response = client.post(url(debate, "write"), {"text": "piétonniser la RUE Houdan le dimanche"})
    assert response.status_code == 400 and "déjà dans le débat" in text(response)
    response = client.post(url(debate, "write"), {"text": "Des bancs à l’ombre."}, follow=True)
    assert "une fois relue par les modérateurs" in text(response)
    assert debate.statements.get(text="Des bancs à l’ombre.").status == "pending"


def test_results_without_enough_votes_say_so_and_show_the_votes(client, debate, resident):
    page = text(client.get(url(debate, "results")))
    assert "Les groupes ne sont pas encore calculés" in page
    services.vote(debate.statements.first(), resident, 1)
    services.recompute_groups(debate)
    page = text(client.get(url(debate, "results")))
    assert "Trop peu de personnes ont voté" in page
    assert "Les votes sur chaque affirmation" in page and "100\u00a0%" in page
    assert "<svg" not in page


def test_results_with_groups_show_the_map_its_table_and_the_viewer(client, debate, resident):
    statements = list(debate.statements.all())
    statements += [Statement.objects.create(conversation=debate, text=f"Affirmation {n}", status="accepted")
                   for n in range(5)]
    rng = random.Random(4)
    votes = [Vote(statement=statement, participant=f"p{n}", value=(1 if (n % 2) == (i % 2) else -1)
                  if rng.random() > 0.1 else 0)
             for n in range(30) for i, statement in enumerate(statements)]
    Vote.objects.bulk_create(votes)
    for i, statement in enumerate(statements):
        services.vote(statement, resident, 1 if i % 2 else -1)
    services.recompute_groups(debate)
    client.force_login(resident)
    page = text(client.get(url(debate, "results")))
    assert 'role="img"' in page and "Carte des opinions\u00a0: 31 participants en 2 groupes" in page
    # Group A as circles, group B as squares: told apart by shape as well as colour.
    assert '<circle class="opinion-map__dot opinion-map__dot--0"' in page
    assert '<rect class="opinion-map__dot opinion-map__dot--1"' in page
    assert 'class="opinion-map__me"' in page
    assert "Groupe A" in page and "Groupe B" in page and "(le vôtre)" in page and "Vous êtes dans le groupe" in page
    assert "Ce que pense chaque groupe" in page and "Dans le groupe\u00a0:" in page
    assert "Comment les groupes sont trouvés" in page and "Dernier calcul le" in page
