"""The consultations API: the questionnaire of a public consultation, its results when they are public."""

import pytest

from concerto.components.consultations import services
from concerto.core.accounts.models import ApiToken

from .conftest import answers, build_questionnaire, make_consultation, option

pytestmark = pytest.mark.django_db
API = "/api/v1/consultations/questionnaires"


def bearer(user) -> dict:
    _token, key = ApiToken.issue(user=user, name="Tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_the_questionnaire_structure_of_a_public_consultation(client, consultation, questionnaire):
    q = questionnaire
    data = client.get(f"{API}/{consultation.pk}").json()
    assert data["title"] == "Votre avis" and data["organisation"] == "sceaux"
    assert data["answers_open"] is True and data["participation"] == "account" and data["results_public"] is True
    assert data["intro_html"].startswith("<p>Le parc va être rénové.</p>")
    assert [section["title"] for section in data["sections"]] == ["Vos habitudes", "Vos souhaits"]
    transport, bike_days = data["sections"][0]["questions"][:2]
    assert transport["kind"] == "single" and transport["required"] is True
    assert [o["label"] for o in transport["options"]] == ["À pied", "À vélo", "En voiture", "Autre"]
    assert transport["options"][-1]["is_other"] is True
    assert bike_days["shown_when"] == {"question": q.transport.pk, "option": option(q.transport, "À vélo").pk}
    assert bike_days["min_value"] == 0 and bike_days["max_value"] == 7
    listing = client.get(API, {"organisation": "sceaux"}).json()
    assert [item["id"] for item in listing["items"]] == [consultation.pk]


def test_public_results_through_the_api(client, consultation, questionnaire, resident):
    services.response_submit(component=consultation, answers=answers(questionnaire), respondent=resident)
    data = client.get(f"{API}/{consultation.pk}/results").json()
    assert data["responses"] == 1
    assert data["channels"] == [{"label": "Site web", "count": 1, "percent": 100.0, "average_rank": None}]
    transport = next(r for r in data["questions"] if r["id"] == questionnaire.transport.pk)
    assert transport["answered"] == 1
    assert {item["label"]: item["count"] for item in transport["items"]}["À pied"] == 1


def test_staff_only_results_need_a_role_on_the_organisation(client, space, step, agent, outsider, resident):
    component = make_consultation(space, results="staff")
    build_questionnaire(component, agent)
    url = f"{API}/{component.pk}/results"
    response = client.get(url)
    assert response.status_code == 403
    assert "ne sont montrés qu’à l’équipe" in response.json()["detail"]
    assert client.get(url, **bearer(resident)).status_code == 403
    assert client.get(url, **bearer(outsider)).status_code == 403
    assert client.get(url, **bearer(agent)).status_code == 200
    assert client.get(f"{API}/{component.pk}").status_code == 200  # the questions themselves are public


def test_an_unpublished_consultation_is_a_404(client, space, step, agent):
    component = make_consultation(space, published=False)
    assert client.get(f"{API}/{component.pk}", **bearer(agent)).status_code == 404
    assert client.get(f"{API}/{component.pk}/results").status_code == 404
    assert client.get(API).json()["count"] == 0


@pytest.mark.parametrize("suffix", ["0", "999999999", "abc", "1e3", "-1", "%00", "9" * 30])
def test_junk_ids_are_clean_errors(client, consultation, suffix):
    for url in (f"{API}/{suffix}", f"{API}/{suffix}/results"):
        response = client.get(url)
        assert 400 <= response.status_code < 500
        assert response["Content-Type"].startswith("application/json")
