"""« This looks like an existing statement »: while a participant writes a statement, the debate's shown statements
like it (htmx into an aria-live region, or the « check » button without JavaScript), each with a link to vote on
it; near-duplicates asked to be confirmed on sending; the same through the API (a look-up endpoint and a 409)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from concerto.components.opinions import services
from concerto.components.opinions.models import Conversation, Statement
from concerto.components.opinions.tests.conftest import TEXTS
from concerto.core.accounts.models import ApiToken

pytestmark = pytest.mark.django_db
API = "/api/v1/opinions/conversations"


def _texts(statements) -> list[str]:
    return [statement.text for statement in statements]


# --- The service -------------------------------------------------------------------------------------------

def test_a_french_paraphrase_is_suggested_and_an_unrelated_text_is_not(debate):
    found = services.similar_statements(debate, "Fermer la rue Houdan aux voitures chaque dimanche")
    assert _texts(found) == [TEXTS[0]] and 0.45 <= found[0].similarity <= 1
    assert _texts(services.similar_statements(debate, "des arbres devant les écoles")) == [TEXTS[1]]
    assert services.similar_statements(debate, "Une médiathèque ouverte le soir") == []
    assert services.similar_statements(debate, "le la les ?!") == []


def test_hidden_and_rejected_statements_are_never_suggested(debate, resident):
    pending = Statement.objects.create(conversation=debate, text="Une fontaine sur la place du marché.")
    Statement.objects.create(conversation=debate, text="Une fontaine place du marché, vite !", status="rejected")
    assert services.similar_statements(debate, "une fontaine place du marché") == []
    pending.status = Statement.Status.ACCEPTED
    pending.save()
    assert _texts(services.similar_statements(debate, "une fontaine place du marché")) == [pending.text]
    # Moderated after publication, a statement awaiting moderation is shown, hence suggested; a rejected one never.
    debate.moderation = Conversation.Moderation.AFTER
    debate.save()
    waiting = Statement.objects.create(conversation=debate, text="Des jeux d’eau pour les enfants.")
    assert _texts(services.similar_statements(debate, "jeux d'eau enfants")) == [waiting.text]


def test_a_stale_index_never_suggests_a_statement_rejected_since(settings, debate):
    settings.CONCERTO_SIMILAR_CHECK_SECONDS = 3600  # the process does not ask the scope's version again
    assert _texts(services.similar_statements(debate, "arbres devant les écoles")) == [TEXTS[1]]
    debate.statements.filter(text=TEXTS[1]).update(status=Statement.Status.REJECTED)
    assert services.similar_statements(debate, "arbres devant les écoles") == []


def test_a_near_duplicate_asks_for_a_confirmation_and_a_new_idea_sharing_a_word_does_not(debate, resident):
    with pytest.raises(services.SimilarStatements) as near:
        services.write_statement(debate, resident, "Il faudrait fermer la rue Houdan aux voitures le dimanche.")
    assert _texts(near.value.statements) == [TEXTS[0]] and debate.statements.count() == 3
    # « écoles » alone does not make « a canteen garden at the schools » a duplicate of planting trees there.
    services.write_statement(debate, resident, "Un potager dans chaque école pour la cantine.")
    services.write_statement(debate, AnonymousUser(), "Il faudrait fermer la rue Houdan aux voitures le dimanche.",
                             session_key="k", confirmed=True)
    assert debate.statements.count() == 5


# --- The pages ---------------------------------------------------------------------------------------------

def test_the_form_asks_while_typing_into_a_live_region(client, debate):
    html = client.get(debate.get_absolute_url()).content.decode()
    url = debate.url_for("opinions:similar")
    assert f'hx-get="{url}"' in html and 'hx-include="#id_text"' in html
    assert 'hx-target="#similar-statements"' in html and 'id="similar-statements"' in html
    assert 'aria-live="polite"' in html and "Chercher des affirmations semblables" in html


def test_the_fragment_lists_similar_statements_each_with_a_way_to_vote_on_it(client, debate):
    url = debate.url_for("opinions:similar")
    tree = debate.statements.get(text=TEXTS[1])
    html = client.get(url, {"text": "planter des arbres près des écoles"}).content.decode()
    assert "Affirmations semblables déjà dans le débat" in html and TEXTS[1] in html
    assert f'href="{debate.get_absolute_url()}?enonce={tree.pk}#vote"' in html and "Voter sur cette affirmation" in html
    assert TEXTS[0] not in html
    # The link puts that statement on the voting card; once voted, the suggestion says how.
    card = client.get(f"{debate.get_absolute_url()}?enonce={tree.pk}").content.decode()
    assert f'name="statement" value="{tree.pk}"' in card
    client.post(debate.url_for("opinions:vote"), {"statement": tree.pk, "value": 1})
    assert "votre vote : D’accord" in client.get(url, {"text": "des arbres aux écoles"}).content.decode().replace(
        "\xa0", " ")
    assert client.get(url, {"text": "Une médiathèque ouverte le soir"}).content.decode().strip() == ""


@pytest.mark.parametrize("query", [{}, {"text": ""}, {"text": "le la les"}, {"text": "arbre " * 100_000},
                                   {"text": "\x00<script>"}, {"text": "?!:;«»"}])
def test_bad_input_gives_an_empty_fragment_never_a_500(client, debate, query):
    response = client.get(debate.url_for("opinions:similar"), query)
    assert response.status_code == 200 and "<script>" not in response.content.decode()


def test_look_ups_are_rate_limited_and_a_draft_has_none(client, rate_limits, debate, agent):
    rate_limits.CONCERTO_RATE_LIMITS = {"similar_lookup": (1, 600)}
    statuses = [client.get(debate.url_for("opinions:similar"), {"text": "arbres"}, REMOTE_ADDR="10.9.8.7").status_code
                for _n in range(6)]
    assert statuses == [200] * 5 + [429]
    debate.published_at = None
    debate.save()
    assert client.get(debate.url_for("opinions:similar"), {"text": "arbres"}).status_code == 404


def test_without_javascript_the_check_button_shows_them_and_keeps_the_text(client, debate):
    write = debate.url_for("opinions:write")
    response = client.post(write, {"text": "Des arbres devant les écoles, à garder", "similar_check": "1"})
    html = response.content.decode()
    assert response.status_code == 200 and TEXTS[1] in html and "Voter sur cette affirmation" in html
    assert "Des arbres devant les écoles, à garder</textarea>" in html and "Il y a un problème" not in html
    assert debate.statements.count() == 3
    nothing = client.post(write, {"text": "Une médiathèque ouverte le soir", "similar_check": "1"}).content.decode()
    assert "Aucune affirmation semblable n’a été trouvée" in nothing


def test_a_near_duplicate_comes_back_with_them_and_send_mine_anyway(client, debate):
    write = debate.url_for("opinions:write")
    text = "Il faudrait fermer la rue Houdan aux voitures le dimanche."
    response = client.post(write, {"text": text})
    html = response.content.decode().replace("\xa0", " ")
    assert response.status_code == 400 and "ressemble à des affirmations déjà dans le débat" in html
    assert TEXTS[0] in html and 'name="confirm" value="1"' in html and "Envoyer la mienne quand même" in html
    assert debate.statements.count() == 3
    response = client.post(write, {"text": text, "confirm": "1"})
    assert response.status_code == 302 and debate.statements.filter(text=text).exists()


def test_an_exact_duplicate_stays_refused_with_the_statement_to_vote_on(client, debate):
    response = client.post(debate.url_for("opinions:write"), {"text": "ouvrir les cours d'école le samedi",
                                                              "confirm": "1"})
    html = response.content.decode()
    assert response.status_code == 400 and "déjà dans le débat" in html
    assert "Voter sur cette affirmation" in html and debate.statements.count() == 3


# --- The API -----------------------------------------------------------------------------------------------

def _token(user):
    _row, key = ApiToken.issue(user=user, name="Appli")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_the_api_gives_similar_statements_with_their_similarity(client, debate):
    url = f"{API}/{debate.pk}/statements/similar"
    body = client.get(url, {"text": "Fermer la rue Houdan aux voitures le dimanche"}).json()
    assert [row["text"] for row in body] == [TEXTS[0]]
    assert 0.45 <= body[0]["similarity"] <= 1 and {"id", "agree", "disagree", "passed", "seed"} <= set(body[0])
    assert client.get(url, {"text": "Une médiathèque ouverte le soir"}).json() == []


@pytest.mark.parametrize("query", [{}, {"text": ""}, {"text": "   "}, {"text": "a" * 1121}, {"text": "a\x00b"}])
def test_bad_look_ups_are_a_422_in_the_api_s_format(client, debate, query):
    response = client.get(f"{API}/{debate.pk}/statements/similar", query)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "text"


def test_the_api_look_up_is_rate_limited_and_hides_drafts(client, rate_limits, debate):
    rate_limits.CONCERTO_RATE_LIMITS = {"similar_lookup": (1, 600)}
    url = f"{API}/{debate.pk}/statements/similar"
    statuses = [client.get(url, {"text": "arbres"}, REMOTE_ADDR="10.9.8.6").status_code for _n in range(6)]
    assert statuses == [200] * 5 + [429]
    limited = client.get(url, {"text": "arbres"}, REMOTE_ADDR="10.9.8.6")
    assert "Trop de requêtes" in limited.json()["detail"] and limited["Retry-After"] == "600"
    debate.published_at = None
    debate.save()
    assert client.get(url, {"text": "arbres"}).status_code == 404


def test_submitting_a_near_duplicate_through_the_api_is_a_409_unless_confirmed(client, debate, resident):
    url, headers = f"{API}/{debate.pk}/statements", _token(resident)
    text = "Il faudrait fermer la rue Houdan aux voitures le dimanche."
    response = client.post(url, {"text": text}, content_type="application/json", **headers)
    body = response.json()
    assert response.status_code == 409 and body["code"] == "similar_statements"
    assert [row["text"] for row in body["similar"]] == [TEXTS[0]] and body["similar"][0]["similarity"] >= 0.45
    response = client.post(url, {"text": text, "confirm": True}, content_type="application/json", **headers)
    assert response.status_code == 201 and debate.statements.filter(text=text, author=resident).exists()


def test_the_api_follows_the_pages_rules_for_whoever_has_a_token(client, debate, resident):
    # Open to anyone: the pages take anonymous votes, the API takes the token's person's (never an anonymous one).
    statement = debate.statements.first()
    url = f"{API}/{debate.pk}/votes"
    assert client.post(url, {"statement": statement.pk, "vote": 1}, content_type="application/json").status_code == 401
    response = client.post(url, {"statement": statement.pk, "vote": 1}, content_type="application/json",
                           **_token(resident))
    assert response.status_code == 201
    debate.closes_at = debate.opens_at
    debate.save()
    closed = client.post(url, {"statement": statement.pk, "vote": -1}, content_type="application/json",
                         **_token(resident))
    assert closed.status_code == 403 and closed.json()["code"] == "closed" and "clos" in closed.json()["detail"]


def test_the_openapi_schema_documents_the_look_up_and_the_409(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/opinions/conversations/{conversation_id}/statements/similar"]["get"]
    assert {"200", "404", "422", "429"} <= set(operation["responses"])
    assert "OpinionSimilarStatementOut" in schema["components"]["schemas"]
    submit = schema["paths"]["/api/v1/opinions/conversations/{conversation_id}/statements"]["post"]
    assert "409" in submit["responses"] and "OpinionSimilarRefusedOut" in schema["components"]["schemas"]
