"""The read API of proposals: same filters and orders as the list, public proposals only, no email."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from concerto.components.proposals import services
from concerto.core.accounts.models import ApiToken
from concerto.core.participation.services import moderation_hide
from concerto.testing import ComponentFactory, SpaceFactory, commune

pytestmark = pytest.mark.django_db
LIST = "/api/v1/proposals/proposals"


def test_the_list_gives_public_proposals_with_public_names_only(client, proposals, proposal, resident, agent):
    services.support_add(user=resident, proposal=proposal)
    services.proposal_answer(actor=agent, proposal=proposal, status="accepted", text="D'accord")
    data = client.get(LIST, {"component": proposals.pk}).json()
    assert data["count"] == 1
    [item] = data["items"]
    assert item["title"] == proposal.title and item["supports"] == 1 and item["category"] == "Nature en ville"
    assert item["author"] == "Alex Dupont"
    assert item["answer"]["status"] == "accepted"
    assert item["url"] == "http://testserver" + proposal.get_absolute_url()
    assert item["organisation"] == "sceaux" and item["component"] == proposals.pk
    body = client.get(LIST, {"component": proposals.pk}).content.decode()
    assert "@example.org" not in body


def test_filters_orders_and_pagination(client, proposals, author, agent, category, resident):
    created = [services.proposal_create(author=author, component=proposals, title=f"Idée {n}", text="Texte")
               for n in range(6)]
    bike = services.proposal_create(author=author, component=proposals, title="Vélos à l'école", text="Texte",
                                    category=category)
    services.support_add(user=resident, proposal=created[2])
    services.proposal_answer(actor=agent, proposal=created[4], status="rejected", text="Non, trop cher.")
    assert [i["title"] for i in client.get(LIST, {"category": category.pk}).json()["items"]] == [bike.title]
    assert [i["title"] for i in client.get(LIST, {"q": "ECOLE"}).json()["items"]] == [bike.title]
    assert [i["title"] for i in client.get(LIST, {"status": "rejected"}).json()["items"]] == ["Idée 4"]
    assert client.get(LIST, {"order": "supports"}).json()["items"][0]["title"] == "Idée 2"
    first = client.get(LIST, {"order": "random", "seed": 42, "limit": 4}).json()["items"]
    second = client.get(LIST, {"order": "random", "seed": 42, "limit": 4, "offset": 4}).json()["items"]
    assert len({i["id"] for i in first + second}) == 7
    assert client.get(LIST, {"order": "random", "seed": 42, "limit": 4}).json()["items"] == first


@pytest.mark.parametrize("params", [
    {"order": "bidon"}, {"status": "maybe"}, {"seed": -1}, {"limit": 1000}, {"q": "x\x00"}, {"q": "a" * 200},
    {"category": "abc"}, {"component": 0},
])
def test_bad_parameters_are_a_422_in_french(client, params):
    response = client.get(LIST, params)
    assert response.status_code == 422
    assert response.json()["detail"]


def test_unknown_organisation_or_commune_is_a_404(client):
    assert client.get(LIST, {"organisation": "atlantis"}).status_code == 404
    assert client.get(LIST, {"commune": "atlantis"}).status_code == 404


def test_hidden_and_unpublished_proposals_are_not_in_the_api(client, outsider, proposals, proposal, author,
                                                             moderator):
    hidden = services.proposal_create(author=author, component=proposals, title="Masquée", text="x")
    moderation_hide(moderator=moderator, content=hidden)
    draft_space = SpaceFactory(organisation=commune("sceaux"), status="draft", published_at=None)
    secret = services.proposal_create(author=author, title="Secrète", text="x",
                                      component=ComponentFactory(space=draft_space, kind="proposals"))
    _token, key = ApiToken.issue(user=outsider, name="Outil de Montreuil")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    titles = [i["title"] for i in client.get(LIST, {"limit": 100}, **headers).json()["items"]]
    assert titles == [proposal.title]
    for item in (hidden, secret):
        assert client.get(f"{LIST}/{item.pk}", **headers).status_code == 404
    detail = client.get(f"{LIST}/{proposal.pk}").json()
    assert detail["title"] == proposal.title and detail["withdrawn"] is False


def test_the_number_of_queries_does_not_grow_with_the_limit(client, proposals, author, category):
    for number in range(40):
        services.proposal_create(author=author, component=proposals, title=f"Idée {number}", text="Texte",
                                 category=category)
    counts = []
    for limit in (5, 40):
        client.get(LIST, {"limit": limit})
        with CaptureQueriesContext(connection) as queries:
            assert len(client.get(LIST, {"limit": limit, "order": "random", "seed": 7}).json()["items"]) == limit
        counts.append(len(queries))
    assert counts[0] == counts[1] > 1


def test_categories_of_published_components(client, proposals, category):
    data = client.get("/api/v1/proposals/categories", {"component": proposals.pk}).json()
    assert [c["name"] for c in data["items"]] == ["Nature en ville"]
