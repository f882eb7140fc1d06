"""Ideas become projects through the API: the same service, permission and audit as the back-office page."""

import json

import pytest

from concerto import testing
from concerto.components.budgets.models import Project
from concerto.components.budgets.tests.test_ideas import make_ideas
from concerto.components.budgets.tests.test_projects_setup import *  # noqa: F403 - the fixtures
from concerto.components.proposals import services as proposals_services
from concerto.core.accounts.models import ApiToken
from concerto.core.audit.models import AuditEntry
from concerto.core.participation.models import Follow, ItemLink, Notification

pytestmark = pytest.mark.django_db

CONVERT = "/api/v1/budgets/projects/from-ideas"
IDEAS = "/api/v1/budgets/ideas"


@pytest.fixture
def ideas(space, step, author, resident):
    return make_ideas(space, author, resident)


def bearer(user) -> dict:
    _token, key = ApiToken.issue(user=user, name="Tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def convert(client, data, user=None, raw=None):
    headers = bearer(user) if user is not None else {}
    return client.post(CONVERT, data=raw if raw is not None else json.dumps(data), content_type="application/json",
                       **headers)


def test_the_agent_lists_the_ideas_then_turns_them_into_projects(client, agent, component, budget, ideas, author,
                                                                  resident):
    proposals, tree, bench = ideas
    listed = client.get(IDEAS, {"component": component.pk}, **bearer(agent))
    assert listed.status_code == 200
    items = listed.json()["items"]
    assert [(i["key"], i["title"], i["supporters"]) for i in items] == [
        (f"{proposals.pk}:{tree.pk}", "Des arbres rue Houdan", 1),
        (f"{proposals.pk}:{bench.pk}", "Des bancs au parc", 0)]

    response = convert(client, {"component_id": component.pk, "budget_id": budget.pk,
                                "ideas": [items[0]["key"]]}, agent)

    assert response.status_code == 201, response.content
    [created] = response.json()
    project = Project.objects.get()
    assert created["id"] == project.pk and created["title"] == "Des arbres rue Houdan"
    assert created["budget"] == budget.pk and created["idea"] == f"{proposals.pk}:{tree.pk}"
    assert project.author == author and project.budget == budget
    assert ItemLink.objects.get().source_id == tree.pk
    assert set(Follow.objects.filter(target_type__model="project").values_list("user", flat=True)) == {
        author.pk, resident.pk}
    assert Notification.objects.filter(recipient=author, verb="budgets.project_from_idea").count() == 1
    entry = AuditEntry.objects.get(action="budgets.project_from_idea")
    assert entry.actor == agent and entry.data == {"idea": f"{proposals.pk}:{tree.pk}"}
    assert [i["title"] for i in client.get(IDEAS, {"component": component.pk}, **bearer(agent)).json()["items"]] \
        == ["Des bancs au parc"]


def test_all_or_nothing_and_the_refused_ideas_are_named(client, agent, component, budget, ideas, sceaux, author):
    proposals, tree, bench = ideas
    other = testing.SpaceFactory(organisation=sceaux, slug="ailleurs", title="Ailleurs")
    elsewhere = testing.ComponentFactory(space=other, kind="proposals", title="Autres", published=True)
    stranger = proposals_services.proposal_create(author=author, component=elsewhere, title="Loin", text="x")
    good, foreign, unknown = f"{proposals.pk}:{tree.pk}", f"{elsewhere.pk}:{stranger.pk}", "999:999"

    response = convert(client, {"component_id": component.pk, "ideas": [good, foreign, unknown]}, agent)

    assert response.status_code == 422
    body = response.json()
    assert "2 des idées cochées ne le peuvent pas. Rien n’a été modifié." in body["detail"]
    assert [(e["field"], e["message"]) for e in body["errors"]] == [
        ("ideas.1", f"«\u00a0{foreign}\u00a0» n’est pas une idée de cet espace qui peut encore devenir un projet."),
        ("ideas.2", "«\u00a0999:999\u00a0» n’est pas une idée de cet espace qui peut encore devenir un projet.")]
    assert not Project.objects.exists() and not ItemLink.objects.exists()


def test_an_idea_already_converted_is_refused_the_second_time(client, agent, component, ideas):
    proposals, tree, bench = ideas
    key = f"{proposals.pk}:{tree.pk}"
    assert convert(client, {"component_id": component.pk, "ideas": [key]}, agent).status_code == 201
    response = convert(client, {"component_id": component.pk, "ideas": [key]}, agent)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "ideas.0"
    assert Project.objects.count() == 1


def test_a_merged_or_rejected_proposal_is_not_an_idea(client, agent, component, ideas):
    proposals, tree, bench = ideas
    proposals_services.proposals_merge(actor=agent, into=tree, proposals=[bench])
    response = convert(client, {"component_id": component.pk, "ideas": [f"{proposals.pk}:{bench.pk}"]}, agent)
    assert response.status_code == 422 and not Project.objects.exists()


def test_a_budget_of_another_component_is_refused(client, agent, component, ideas, space):
    proposals, tree, bench = ideas
    other = testing.ComponentFactory(space=space, kind="budgets", title="Autre budget")
    from concerto.components.budgets import services

    foreign_budget = services.budget_create(actor=agent, component=other, name="Autre", amount=1000)
    response = convert(client, {"component_id": component.pk, "budget_id": foreign_budget.pk,
                                "ideas": [f"{proposals.pk}:{tree.pk}"]}, agent)
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "budget_id", "location": "body",
                                          "message": "Choisissez une enveloppe de ce budget participatif."}]
    assert not Project.objects.exists()


@pytest.mark.parametrize("persona", ["elected", "outsider", "resident"])
def test_who_may_not_convert_in_the_back_office_may_not_through_the_api(request, client, persona, component,
                                                                         ideas):
    proposals, tree, bench = ideas
    user = request.getfixturevalue(persona)
    response = convert(client, {"component_id": component.pk, "ideas": [f"{proposals.pk}:{tree.pk}"]}, user)
    assert response.status_code == 403  # a published budget: a 403 that says why
    assert "pas le droit" in response.json()["detail"]
    assert client.get(IDEAS, {"component": component.pk}, **bearer(user)).status_code == 403
    assert not Project.objects.exists()
    assert not AuditEntry.objects.filter(action="budgets.project_from_idea").exists()


def test_the_outsider_learns_nothing_of_an_unpublished_budget(client, outsider, component, ideas):
    component.published = False
    component.save(update_fields=["published"])
    response = convert(client, {"component_id": component.pk, "ideas": ["1:1"]}, outsider)
    assert response.status_code == 404
    assert response.json()["detail"] == "Aucun budget participatif ne porte ce numéro."


@pytest.mark.parametrize("raw", [
    "{", "[]", "{}", '{"component_id": 1}', '{"component_id": 1, "ideas": []}', '{"component_id": 1, "ideas": "1:1"}',
    '{"component_id": "x", "ideas": ["1:1"]}', '{"component_id": 0, "ideas": ["1:1"]}',
])
def test_a_malformed_body_is_a_french_4xx_never_a_500(client, agent, component, raw):
    response = convert(client, None, agent, raw=raw)
    assert response.status_code in (400, 422)
    detail = response.json()["detail"]
    assert detail == "Les données envoyées ne sont pas valides." or "pas du JSON valide" in detail


@pytest.mark.parametrize("key", ["abc", "1:", ":2", "1:2:3", "12345678901:1", " 1:2"])
def test_a_malformed_key_is_named_and_nothing_changes(client, agent, component, ideas, key):
    proposals, tree, bench = ideas
    response = convert(client, {"component_id": component.pk, "ideas": [f"{proposals.pk}:{tree.pk}", key]}, agent)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["ideas.1"]
    assert not Project.objects.exists()


def test_anonymous_callers_are_asked_to_sign_in(client, component, ideas):
    assert convert(client, {"component_id": component.pk, "ideas": ["1:1"]}).status_code == 401
    assert client.get(IDEAS, {"component": component.pk}).status_code == 401


def test_the_published_schema_lists_the_new_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "201" in paths[CONVERT]["post"]["responses"] and "422" in paths[CONVERT]["post"]["responses"]
    assert "get" in paths[IDEAS]
    assert "post" in paths["/api/v1/proposals/proposals/{proposal_id}/merge"]
    assert "post" in paths["/api/v1/proposals/bulk"]
    assert paths[CONVERT]["post"]["security"]
