"""The back-office's actions on proposals through the API: merge, bulk answer, bulk assignment. Same service,
same permission, same audit entries as the back-office's list."""

import json

import pytest

from concerto import testing
from concerto.components.proposals import services
from concerto.components.proposals.models import Proposal, Support
from concerto.core.accounts.models import ApiToken
from concerto.core.audit.models import AuditEntry
from concerto.core.participation.models import Comment, Notification
from concerto.core.participation.services import comment_create

pytestmark = pytest.mark.django_db


def bearer(user) -> dict:
    _token, key = ApiToken.issue(user=user, name="Tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def post(client, url, data, user=None, raw=None):
    headers = bearer(user) if user is not None else {}
    body = raw if raw is not None else json.dumps(data)
    return client.post(url, data=body, content_type="application/json", **headers)


def merge_url(proposal) -> str:
    return f"/api/v1/proposals/proposals/{proposal.pk}/merge"


BULK = "/api/v1/proposals/bulk"


@pytest.fixture
def twin(proposals, resident):
    return services.proposal_create(author=resident, component=proposals, title="Des arbres fruitiers à l'école",
                                    text="Un verger dans les cours.")


def test_an_agent_merges_with_a_token_and_the_audit_log_says_so(client, agent, proposal, twin, resident):
    supporter = testing.UserFactory(email="soutien@example.org")
    services.support_add(user=supporter, proposal=twin)
    comment_create(author=supporter, target=twin, body="Oui, des pommiers !")

    response = post(client, merge_url(proposal), {"proposals": [twin.pk]}, agent)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == proposal.pk and body["merged"] == [twin.pk]
    assert body["supports"] == 1 and body["comments"] == 1
    assert body["url"] == f"http://testserver{proposal.get_absolute_url()}"
    twin.refresh_from_db()
    assert twin.merged_into_id == proposal.pk
    assert Support.objects.get().proposal_id == proposal.pk
    entry = AuditEntry.objects.get(action="proposals.proposal_merged")
    assert entry.actor == agent and entry.data == {"into": proposal.pk, "comments": 1}
    assert Notification.objects.filter(recipient=resident, verb="proposals.merged").count() == 1


def test_a_session_merges_only_once_it_passed_two_factor(client, staff_client, admin_sceaux, proposal, twin):
    client.force_login(admin_sceaux)  # a password alone
    response = post(client, merge_url(proposal), {"proposals": [twin.pk]})
    assert response.status_code == 403 and "double authentification" in response.json()["detail"]
    assert Proposal.objects.get(pk=twin.pk).merged_into is None
    response = post(staff_client(admin_sceaux), merge_url(proposal), {"proposals": [twin.pk]})
    assert response.status_code == 200 and Proposal.objects.get(pk=twin.pk).merged_into_id == proposal.pk


@pytest.mark.parametrize("persona", ["elected", "outsider", "resident", "moderator"])
def test_who_may_not_merge_in_the_back_office_may_not_through_the_api(request, client, persona, proposal, twin):
    user = request.getfixturevalue(persona)
    response = post(client, merge_url(proposal), {"proposals": [twin.pk]}, user)
    assert response.status_code == 403
    assert "pas le droit" in response.json()["detail"]
    assert Proposal.objects.get(pk=twin.pk).merged_into is None
    assert not AuditEntry.objects.filter(action="proposals.proposal_merged").exists()


def test_anonymous_callers_are_asked_to_sign_in(client, proposal, twin):
    response = post(client, merge_url(proposal), {"proposals": [twin.pk]})
    assert response.status_code == 401 and "jeton" in response.json()["detail"]


def test_a_hidden_proposal_of_another_commune_is_a_404_for_the_outsider(client, outsider, moderator, proposal,
                                                                           twin):
    from concerto.core.participation.services import moderation_hide

    moderation_hide(moderator=moderator, content=proposal, reason="Hors sujet")
    response = post(client, merge_url(proposal), {"proposals": [twin.pk]}, outsider)
    assert response.status_code == 404
    assert response.json()["detail"] == "Cette proposition n’existe pas ou n’est pas publiée."


def test_merging_a_proposal_of_another_space_is_refused_in_french_and_nothing_changes(
        client, agent, proposal, author, sceaux):
    other_space = testing.SpaceFactory(organisation=sceaux, slug="autre", title="Autre démarche")
    testing.StepFactory(space=other_space, title="Dépôt")
    elsewhere = testing.ComponentFactory(space=other_space, kind="proposals", title="Autres idées")
    stranger = services.proposal_create(author=author, component=elsewhere, title="Ailleurs", text="Autre espace")

    response = post(client, merge_url(proposal), {"proposals": [stranger.pk, 2_000_000]}, agent)

    assert response.status_code == 422
    body = response.json()
    assert "Rien n’a été modifié" in body["detail"]
    assert [e["message"] for e in body["errors"]] == [
        f"La proposition {stranger.pk} n’est pas dans cette liste de propositions.",
        "La proposition 2000000 n’est pas dans cette liste de propositions."]
    assert Proposal.objects.get(pk=stranger.pk).merged_into is None


def test_merging_into_itself_or_into_a_merged_proposal_is_refused(client, agent, proposal, twin, proposals,
                                                                   author):
    third = services.proposal_create(author=author, component=proposals, title="Un troisième", text="Encore")
    response = post(client, merge_url(proposal), {"proposals": [proposal.pk]}, agent)
    assert response.status_code == 422
    assert response.json()["detail"] == "Choisissez au moins deux propositions à fusionner."
    assert post(client, merge_url(proposal), {"proposals": [twin.pk]}, agent).status_code == 200
    response = post(client, merge_url(twin), {"proposals": [third.pk]}, agent)
    assert response.status_code == 422 and "est elle-même fusionnée" in response.json()["detail"]
    assert Proposal.objects.get(pk=third.pk).merged_into is None


@pytest.mark.parametrize("raw", [
    "{", "[]", '{"proposals": []}', '{"proposals": ["abc"]}', '{"proposals": [0]}', '{"proposals": [99999999999]}',
    '{"proposals": "1"}', '{}', '"x"',
])
def test_a_malformed_merge_body_is_a_french_4xx_never_a_500(client, agent, proposal, raw):
    response = post(client, merge_url(proposal), None, agent, raw=raw)
    assert response.status_code in (400, 422)
    detail = response.json()["detail"]
    assert detail == "Les données envoyées ne sont pas valides." or "pas du JSON valide" in detail


def test_an_unknown_target_is_a_404_in_french(client, agent, proposal):
    response = post(client, "/api/v1/proposals/proposals/999999/merge", {"proposals": [proposal.pk]}, agent)
    assert response.status_code == 404
    assert response.json()["detail"] == "Cette proposition n’existe pas ou n’est pas publiée."


def test_an_agent_answers_several_proposals_at_once(client, agent, proposals, proposal, twin, resident):
    response = post(client, BULK, {"component_id": proposals.pk, "proposals": [proposal.pk, twin.pk],
                                   "action": "answer", "status": "under_study", "text": "Nous étudions."}, agent)
    assert response.status_code == 200, response.content
    assert response.json() == {"done": [proposal.pk, twin.pk], "refused": []}
    assert set(Proposal.objects.values_list("answer_status", flat=True)) == {"under_study"}
    assert AuditEntry.objects.filter(action="proposals.proposal_answered", actor=agent).count() == 2
    assert Notification.objects.filter(recipient=resident, verb="proposals.answered").exists()


def test_a_rejection_without_a_reason_is_refused_for_each_proposal(client, agent, proposals, proposal, twin):
    response = post(client, BULK, {"component_id": proposals.pk, "proposals": [proposal.pk, twin.pk],
                                   "action": "answer", "status": "rejected"}, agent)
    assert response.status_code == 200
    body = response.json()
    assert body["done"] == [] and [r["id"] for r in body["refused"]] == [proposal.pk, twin.pk]
    assert "Expliquez pourquoi" in body["refused"][0]["detail"]
    assert not Proposal.objects.exclude(answer_status="").exists()


def test_an_answer_needs_a_status(client, agent, proposals, proposal):
    response = post(client, BULK, {"component_id": proposals.pk, "proposals": [proposal.pk], "action": "answer"},
                    agent)
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "status", "location": "body",
                                          "message": "Choisissez une réponse dans la liste."}]


def test_an_agent_assigns_proposals_to_an_evaluator_who_is_notified(client, agent, admin_sceaux, proposals,
                                                                    proposal, twin):
    response = post(client, BULK, {"component_id": proposals.pk, "proposals": [proposal.pk, twin.pk],
                                   "action": "assign", "assignee": admin_sceaux.pk}, agent)
    assert response.status_code == 200 and response.json()["done"] == [proposal.pk, twin.pk]
    assert set(Proposal.objects.values_list("assignee", flat=True)) == {admin_sceaux.pk}
    assert Notification.objects.filter(recipient=admin_sceaux, verb="proposals.assigned").count() == 2
    assert AuditEntry.objects.filter(action="proposals.assigned").count() == 2


def test_assigning_to_someone_outside_the_organisation_is_refused(client, agent, outsider, resident, proposals,
                                                                  proposal):
    for person in (outsider, resident):
        response = post(client, BULK, {"component_id": proposals.pk, "proposals": [proposal.pk],
                                       "action": "assign", "assignee": person.pk}, agent)
        assert response.status_code == 422
        assert response.json()["detail"] == "Choisissez un agent dans la liste."
    assert Proposal.objects.get(pk=proposal.pk).assignee is None


@pytest.mark.parametrize("persona", ["elected", "outsider"])
def test_the_elected_official_and_the_outsider_cannot_answer_or_assign(request, client, persona, agent,
                                                                       proposals, proposal):
    user = request.getfixturevalue(persona)
    for data in ({"action": "answer", "status": "accepted"}, {"action": "assign", "assignee": agent.pk}):
        response = post(client, BULK, {"component_id": proposals.pk, "proposals": [proposal.pk], **data}, user)
        assert response.status_code == 403
    proposal.refresh_from_db()
    assert proposal.answer_status == "" and proposal.assignee is None


def test_bulk_ids_of_another_component_are_refused_and_nothing_changes(client, agent, proposals, proposal,
                                                                      author, sceaux):
    other_space = testing.SpaceFactory(organisation=sceaux, slug="autre", title="Autre démarche")
    elsewhere = testing.ComponentFactory(space=other_space, kind="proposals", title="Autres idées")
    stranger = services.proposal_create(author=author, component=elsewhere, title="Ailleurs", text="Autre espace")
    response = post(client, BULK, {"component_id": proposals.pk, "proposals": [proposal.pk, stranger.pk],
                                   "action": "answer", "status": "accepted"}, agent)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["proposals"]
    assert not Proposal.objects.exclude(answer_status="").exists()


def test_an_unknown_component_or_a_wrong_action_is_a_french_error(client, agent, proposals, proposal):
    response = post(client, BULK, {"component_id": 999_999, "proposals": [proposal.pk], "action": "answer",
                                   "status": "accepted"}, agent)
    assert response.status_code == 404
    assert response.json()["detail"] == "Aucun module de propositions ne porte ce numéro."
    response = post(client, BULK, {"component_id": proposals.pk, "proposals": [proposal.pk], "action": "merge"},
                    agent)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "action"
    assert response.json()["errors"][0]["message"].startswith("Choisissez parmi")


def test_moved_comments_keep_their_thread_and_the_merged_page_is_linked(client, agent, proposal, twin, resident):
    first = comment_create(author=resident, target=twin, body="Première remarque")
    comment_create(author=agent, target=twin, body="Réponse de l'agent", parent=first)
    post(client, merge_url(proposal), {"proposals": [twin.pk]}, agent)
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "Première remarque" in page and "Réponse de l&#x27;agent" in page
    assert f'href="{twin.get_absolute_url()}?fusion=non"' in page
    assert "Déplacé ici depuis" in page
    assert Comment.objects.get(body="Réponse de l'agent").parent_id == first.pk
