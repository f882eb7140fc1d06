"""Similar ideas for proposals: what a resident is shown while writing one (with htmx, or with the « Check for
similar ideas » button), and the likely duplicates agents merge in the back-office."""

import pytest
from django.urls import reverse

from concerto import testing
from concerto.components.proposals import services
from concerto.components.proposals.models import Proposal
from concerto.core.participation.services import moderation_hide

from .conftest import configure

pytestmark = pytest.mark.django_db


def _url(component, name="index", *args, namespace="proposals"):
    space = component.space
    return reverse(f"{namespace}:{name}", args=[space.organisation.slug, space.slug, component.pk, *args])


def _create(component, author, title, text="Texte de la proposition."):
    return services.proposal_create(author=author, component=component, title=title, text=text)


@pytest.fixture
def cycling(proposals, author):
    return _create(proposals, author, "Des pistes cyclables sécurisées avenue de la République",
                   "Les vélos roulent au milieu des bus.")


def test_typing_a_paraphrase_suggests_the_existing_proposal_with_its_supports(client, proposals, cycling, resident,
                                                                             author):
    _create(proposals, author, "Un composteur au square", "Pour réduire nos déchets.")
    services.support_add(user=resident, proposal=cycling)
    html = client.get(_url(proposals, "similar"), {"title": "piste cyclable",
                                                   "text": "sécuriser l'avenue pour les vélos"}).content.decode()
    assert "Idées semblables déjà proposées" in html
    assert cycling.title in html and f'href="{cycling.get_absolute_url()}"' in html and "1 soutien" in html
    assert "composteur" not in html
    # The description alone is enough.
    assert cycling.title in client.get(_url(proposals, "similar"), {"text": "une piste cyclable"}).content.decode()


def test_hidden_withdrawn_merged_and_rejected_proposals_are_never_suggested(client, proposals, cycling, author, agent,
                                                                          moderator):
    query = {"title": "pistes cyclables sécurisées"}
    assert cycling.title in client.get(_url(proposals, "similar"), query).content.decode()  # fitted with it
    hidden = _create(proposals, author, "Pistes cyclables sécurisées partout")
    withdrawn = _create(proposals, author, "Pistes cyclables sécurisées rue de Paris")
    merged = _create(proposals, author, "Pistes cyclables sécurisées et séparées")
    rejected = _create(proposals, author, "Pistes cyclables sécurisées la nuit")
    moderation_hide(moderator=moderator, content=hidden)
    services.proposal_withdraw(actor=author, proposal=withdrawn)
    services.proposals_merge(actor=agent, into=cycling, proposals=[merged])
    services.proposal_answer(actor=agent, proposal=rejected, status=Proposal.Answer.REJECTED, text="Hors budget.")
    html = client.get(_url(proposals, "similar"), query).content.decode()
    assert cycling.title in html
    for gone in (hidden, withdrawn, merged, rejected):
        assert gone.title not in html


def test_a_stale_index_never_shows_a_proposal_hidden_since(client, settings, proposals, cycling, moderator):
    settings.CONCERTO_SIMILAR_CHECK_SECONDS = 3600  # the process does not ask the version again
    query = {"title": "pistes cyclables sécurisées"}
    assert cycling.title in client.get(_url(proposals, "similar"), query).content.decode()
    moderation_hide(moderator=moderator, content=cycling)
    assert cycling.title not in client.get(_url(proposals, "similar"), query).content.decode()


def test_another_list_or_another_communes_draft_is_never_suggested(client, proposals, author, montreuil):
    draft_space = testing.SpaceFactory(organisation=montreuil, slug="brouillon", title="Brouillon de Montreuil",
                                       status="draft")
    testing.StepFactory(space=draft_space, title="Dépôt")
    secret = testing.ComponentFactory(space=draft_space, kind="proposals", title="Idées cachées")
    _create(secret, author, "Pistes cyclables secrètes de Montreuil")
    _create(testing.ComponentFactory(space=proposals.space, kind="proposals"), author, "Pistes cyclables ailleurs")
    html = client.get(_url(proposals, "similar"), {"title": "pistes cyclables"}).content.decode()
    assert "secrètes" not in html and "ailleurs" not in html
    # The draft's own endpoint is not public, and Montreuil's component is not found under Sceaux's name.
    assert client.get(_url(secret, "similar"), {"title": "pistes cyclables"}).status_code == 404
    url = reverse("proposals:similar", args=[proposals.space.organisation.slug, proposals.space.slug, secret.pk])
    assert client.get(url, {"title": "pistes cyclables"}).status_code == 404


@pytest.mark.parametrize("query", [
    {}, {"title": ""}, {"title": "le la les"}, {"title": "vélo" * 50_000, "text": "piste " * 50_000},
    {"title": "\x00<script>", "exclure": "abc"}, {"exclure": "9" * 40, "title": "piste"}, {"text": "?!:;«»"},
])
def test_bad_input_gives_an_empty_fragment_never_a_500(client, proposals, cycling, query):
    response = client.get(_url(proposals, "similar"), query)
    assert response.status_code == 200
    assert "<script>" not in response.content.decode()


def test_the_proposal_being_edited_is_not_suggested_to_itself(client, proposals, cycling):
    html = client.get(_url(proposals, "similar"), {"title": cycling.title, "exclure": cycling.pk}).content.decode()
    assert cycling.title not in html


def test_lookups_are_rate_limited_per_sender(client, rate_limits, proposals, cycling):
    rate_limits.CONCERTO_RATE_LIMITS = {"similar_lookup": (2, 600)}
    statuses = [client.get(_url(proposals, "similar"), {"title": "piste"}, REMOTE_ADDR="10.1.2.3").status_code
                for _ in range(11)]
    assert statuses[:10] == [200] * 10  # an address gets five times a person's limit
    assert statuses[10] == 429


def test_the_form_asks_while_typing_the_title_and_the_description(client, proposals, resident):
    client.force_login(resident)
    form = client.get(_url(proposals, "create")).content.decode()
    assert form.count(f'hx-get="{_url(proposals, "similar")}"') == 2
    assert 'hx-trigger="keyup changed delay:400ms"' in form and 'hx-include="#id_title, #id_text"' in form
    assert 'id="similar-proposals"' in form and 'aria-live="polite"' in form
    assert "Chercher des idées semblables" in form


def test_without_javascript_the_check_button_shows_similar_ideas_and_keeps_the_form(client, proposals, cycling,
                                                                                 resident):
    client.force_login(resident)
    response = client.post(_url(proposals, "create"), {
        "title": "Une piste cyclable", "text": "Mon texte à garder, avenue de la République.",
        "similar_check": "1"})
    html = response.content.decode()
    assert response.status_code == 200
    assert cycling.title in html and "Idées semblables déjà proposées" in html
    assert 'value="Une piste cyclable"' in html and "Mon texte à garder, avenue de la République." in html
    assert "Il y a un problème" not in html  # a check is not a failed submission: no error for the empty category
    assert Proposal.objects.count() == 1
    response = client.post(_url(proposals, "create"), {"title": "Un marché bio", "text": "", "similar_check": "1"})
    assert "Aucune idée semblable n’a été trouvée" in response.content.decode()


def test_the_check_is_offered_only_while_submissions_are_open(client, proposals, step, resident):
    configure(proposals, step=step, submissions_open=False)
    client.force_login(resident)
    response = client.post(_url(proposals, "create"), {"title": "piste", "text": "", "similar_check": "1"})
    assert response.status_code == 403 and not Proposal.objects.exists()


# --- Likely duplicates in the back-office ---------------------------------------------------------------------

@pytest.fixture
def twins(proposals, author, resident, cycling):
    newer = _create(proposals, resident, "Sécuriser les pistes cyclables avenue de la République",
                    "Les vélos y roulent au milieu des bus.")
    _create(proposals, author, "Un composteur au square", "Pour réduire nos déchets.")
    return cycling, newer


def test_agents_see_likely_duplicates_and_merge_them_in_one_click(staff_client, agent, proposals, twins):
    older, newer = twins
    client = staff_client(agent)
    listing = client.get(_url(proposals, namespace="proposals_backoffice")).content.decode()
    duplicates_url = _url(proposals, "duplicates", namespace="proposals_backoffice")
    assert duplicates_url in listing
    html = client.get(duplicates_url).content.decode()
    assert "Doublons probables" in html and older.title in html and newer.title in html
    assert "composteur" not in html and "Ressemblance" in html
    assert html.index(older.title) < html.index(newer.title)  # the older first: the newer joins it
    response = client.post(_url(proposals, "bulk", namespace="proposals_backoffice"), {
        "action": "merge", "proposals": [newer.pk], "into": older.pk, "back": "duplicates"})
    assert response.status_code == 302 and response["Location"] == duplicates_url
    newer.refresh_from_db()
    assert newer.merged_into == older
    assert "Aucun doublon probable" in client.get(duplicates_url).content.decode()


def test_officials_read_the_duplicates_without_the_merge_and_outsiders_get_nothing(staff_client, client, elected,
                                                                                   outsider, resident, proposals,
                                                                                   twins):
    url = _url(proposals, "duplicates", namespace="proposals_backoffice")
    html = staff_client(elected).get(url).content.decode()
    assert twins[0].title in html and "Fusionner la plus récente" not in html
    assert staff_client(outsider).get(url).status_code in (403, 404)
    client.force_login(resident)
    assert client.get(url).status_code in (302, 403)


# --- The API: a client asks before posting ----------------------------------------------------------------------

API = "/api/v1/proposals/proposals/similar"


def test_the_api_gives_similar_public_proposals_of_the_component(client, proposals, cycling, author, moderator):
    hidden = _create(proposals, author, "Pistes cyclables sécurisées partout")
    moderation_hide(moderator=moderator, content=hidden)
    _create(testing.ComponentFactory(space=proposals.space, kind="proposals"), author, "Pistes cyclables ailleurs")
    response = client.get(API, {"component": proposals.pk, "text": "sécuriser la piste cyclable pour les vélos"})
    assert response.status_code == 200
    [found] = response.json()
    assert found["id"] == cycling.pk and found["title"] == cycling.title and found["supports"] == 0
    assert found["url"].endswith(cycling.get_absolute_url()) and 0.25 <= found["similarity"] <= 1
    assert client.get(API, {"component": proposals.pk, "text": "un marché bio"}).json() == []


def test_the_api_never_reads_a_draft_component(client, proposals, author, montreuil):
    draft_space = testing.SpaceFactory(organisation=montreuil, slug="brouillon-api", status="draft")
    testing.StepFactory(space=draft_space, title="Dépôt")
    secret = testing.ComponentFactory(space=draft_space, kind="proposals")
    _create(secret, author, "Pistes cyclables secrètes")
    response = client.get(API, {"component": secret.pk, "text": "pistes cyclables"})
    assert response.status_code == 404 and response.json()["detail"]


@pytest.mark.parametrize("query, status", [
    ({"text": "piste"}, 422), ({"component": "abc", "text": "piste"}, 422), ({"component": 999_999}, 404),
    ({"text": "x" * 6_000, "component": None}, 422), ({"text": "a\x00b", "component": None}, 422),
    ({"component": None}, 200), ({"text": "le la les", "component": None}, 200),
])
def test_the_api_answers_bad_input_in_its_error_format(client, proposals, cycling, query, status):
    query = {key: proposals.pk if key == "component" and value is None else value for key, value in query.items()}
    response = client.get(API, query)
    assert response.status_code == status
    body = response.json()
    assert body == [] if status == 200 else body["detail"]


def test_the_api_is_rate_limited_and_documented(client, rate_limits, proposals, cycling):
    rate_limits.CONCERTO_RATE_LIMITS = {"similar_lookup": (1, 600)}
    statuses = [client.get(API, {"component": proposals.pk, "text": "piste"}, REMOTE_ADDR="10.4.4.4").status_code
                for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    schema = client.get("/api/v1/openapi.json").json()
    assert {"200", "404", "422", "429"} <= set(schema["paths"][API]["get"]["responses"])
    assert {"SimilarSupportedOut", "SimilarReportOut"} <= set(schema["components"]["schemas"])
