"""Inputs that used to give 500s through Open311 and the report form, and what a client or a person sees now
(run on PostgreSQL too: it refuses NUL characters, offsets beyond ±15:59 and emails wider than the column)."""

import pytest
from django.urls import reverse

from concerto.components.reports.models import Report
from concerto.components.reports.tests import test_open311
from concerto.components.reports.tests.test_open311 import BASE, errors_of, make_key, make_report, post_data, xml_of
from concerto.components.reports.tests.test_reporting import form_url
from concerto.components.reports.tests.test_reporting import post_data as form_data
from concerto.testing import ComponentFactory, SpaceFactory

pytestmark = pytest.mark.django_db
pothole = test_open311.pothole  # the fixture: a service of Sceaux with a required question

OFFSET = "Le décalage horaire doit être compris entre -15:59 et +15:59, par exemple +01:00."
YEARS = "Saisissez une date comprise entre les années 1900 et 2999."
NUL = "Ce texte contient un caractère NUL (\\u0000), qui n’est pas accepté."
LONG_EMAIL = "a" * 250 + "@example.org"
EMAIL = "Une adresse électronique compte au plus 254 caractères."


@pytest.mark.parametrize("params, description", [
    ({"start_date": "2026-03-14T09:30:00+16:00"}, f"start_date\u00a0: {OFFSET}"),
    ({"end_date": "2026-03-14T09:30:00-20:00"}, f"end_date\u00a0: {OFFSET}"),
    ({"start_date": "0001-01-01"}, f"start_date\u00a0: {YEARS}"),
    ({"end_date": "9999-12-31"}, f"end_date\u00a0: {YEARS}"),
    ({"start_date": "9999-12-31T23:59:59Z"}, f"start_date\u00a0: {YEARS}"),
    ({"status": "open\x00"}, f"status\u00a0: {NUL}"),
    ({"service_code": "a\x00b"}, f"service_code\u00a0: {NUL}"),
])
def test_open311_dates_and_texts_the_database_cannot_hold_are_a_400_with_the_error_list(client, db, params,
                                                                                         description):
    for fmt in ("json", "xml"):
        response = client.get(BASE + f"requests.{fmt}", params, HTTP_ACCEPT_LANGUAGE="fr")
        assert response.status_code == 400, response.content
    assert client.get(BASE + "requests.json", params).json() == [{"code": 400, "description": description}]


def test_open311_dates_with_real_offsets_and_a_plus_sent_as_a_space_are_read(client, db):
    for start in ("2026-03-14T09:30:00+14:00", "2026-03-14T09:30:00-12:00", "2026-03-14T09:30:00 01:00",
                  "2026-03-14"):
        response = client.get(BASE + "requests.json", {"start_date": start})
        assert response.status_code == 200, (start, response.content)


@pytest.mark.parametrize("path, field", [("requests/1%00.json", "service_request_id"),
                                         ("tokens/ab%00cd.xml", "token"),
                                         ("services/voirie%00.json", "service_code")])
def test_open311_nul_characters_in_the_address_are_a_400_naming_the_parameter(client, db, path, field):
    response = client.get(BASE + path, {"jurisdiction_id": "92071"})
    assert response.status_code == 400
    if path.endswith(".xml"):
        assert xml_of(response).findtext("error/description") == f"{field}\u00a0: {NUL}"
    else:
        assert response.json() == [{"code": 400, "description": f"{field}\u00a0: {NUL}"}]


@pytest.mark.parametrize("field", ["description", "address_string", "email", "device_id", "attribute[taille]",
                                   "first_name"])
def test_open311_posts_with_a_nul_character_are_a_400_and_nothing_is_saved(client, places, pothole, field):
    data = post_data(api_key=make_key(places[0]))
    data[field] = "grand\x00"
    response = client.post(BASE + "requests.json", data)
    assert response.status_code == 400, response.content
    assert response.json() == [{"code": 400, "description": f"{field}\u00a0: {NUL}"}]
    assert not Report.objects.exists()


def test_open311_posts_with_an_email_over_254_characters_are_a_400_and_nothing_is_saved(client, places, pothole):
    response = client.post(BASE + "requests.json", post_data(api_key=make_key(places[0]), email=LONG_EMAIL))
    assert response.status_code == 400, response.content
    assert response.json() == [{"code": 400, "description": f"email\u00a0: {EMAIL}"}]
    assert not Report.objects.exists()


def test_open311_ids_beyond_a_database_integer_are_a_404(client, pothole):
    make_report(pothole)
    for path in ("requests/99999999999999999999.json", f"requests.json?service_request_id={2**63}"):
        response = client.get(BASE + path)
        assert response.status_code in (400, 404), (path, response.content)
        errors_of(response)


def test_an_unknown_open311_address_answers_the_error_list_in_its_format(client, db):
    response = client.get(BASE + "services.yaml")
    assert response.status_code == 404
    assert "/open311/v2/openapi.json" in errors_of(response)
    response = client.get(BASE + "nothing/here.xml")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/xml")


def test_the_open311_description_is_served_next_to_the_endpoints(client, db):
    document = client.get(BASE + "openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {"/discovery.{format}", "/services.{format}",
                                      "/services/{service_code}.{format}", "/requests.{format}",
                                      "/requests/{service_request_id}.{format}", "/tokens/{token}.{format}"}
    post = document["paths"]["/requests.{format}"]["post"]
    assert {"200", "400", "403", "404", "429"} <= set(post["responses"])
    assert "text/xml" in post["responses"]["200"]["content"]
    # The API's docs link to it.
    assert "/open311/v2/openapi.json" in client.get("/api/v1/docs").content.decode()


@pytest.fixture
def component(sceaux, boundaries):
    return ComponentFactory(space=SpaceFactory(organisation=sceaux, slug="ma-ville"), kind="reports")


@pytest.fixture
def lighting(sceaux):
    from concerto.components.reports.models import Category

    return Category.objects.create(organisation=sceaux, code="eclairage", name="Éclairage public")


def test_the_report_form_refuses_an_email_over_254_characters_with_a_clear_message(client, component, lighting):
    response = client.post(form_url(component), form_data(lighting, email=LONG_EMAIL), HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400
    assert EMAIL in response.content.decode()
    assert not Report.objects.exists()


def test_the_report_form_refuses_a_nul_character_with_a_clear_message(client, component, lighting):
    response = client.post(form_url(component), form_data(lighting, description="Éteint\x00"))
    assert response.status_code == 400
    assert not Report.objects.exists()


def test_the_me_too_of_an_address_over_254_characters_is_refused(client, component, lighting):
    from concerto.components.reports import services

    report = services.report_create(category=lighting, kind="malfunction", latitude=48.7745, longitude=2.2990,
                                    description="Éteint", email="habitant@example.org")
    response = client.post(reverse("reports_signalements:support", args=[report.pk]), {"email": LONG_EMAIL},
                           follow=True)
    assert response.status_code == 200
    assert EMAIL in response.content.decode()
    assert not report.supports.exists()
