"""Open311 GeoReport v2: every endpoint in JSON (validated against the GeoReport v2 JSON Schemas) and XML,
the errors the specification lists, and the PyPI client `georeport` against the live server."""

import json
import secrets
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.utils import timezone

from concerto.components.reports.models import Category, CategoryQuestion, Report, Service
from concerto.components.reports.tests.conftest import MONTREUIL_POINT, SCEAUX_POINT
from concerto.testing import SHARED_DATA

SCHEMAS = SHARED_DATA / "open311" / "schema-georeport-v2"
BASE = "/open311/v2/"


def validator(name):
    jsonschema = pytest.importorskip("jsonschema")
    referencing = pytest.importorskip("referencing")
    if not SCHEMAS.exists():
        pytest.skip("the shared GeoReport v2 schemas are absent")
    resources = []
    for path in SCHEMAS.glob("*.json"):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((path.name, referencing.Resource.from_contents(
            contents, default_specification=referencing.jsonschema.DRAFT7)))
    registry = referencing.Registry().with_resources(resources)
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(schema, registry=registry, format_checker=jsonschema.FormatChecker())


def assert_valid(data, schema_name):
    errors = sorted(validator(schema_name).iter_errors(data), key=str)
    assert not errors, [error.message for error in errors]


@pytest.fixture
def pothole(sceaux):
    service = Service.objects.create(organisation=sceaux, name="Voirie", email="")
    category = Category.objects.create(organisation=sceaux, code="nid-de-poule", name="Nid-de-poule",
                                       group="Voirie", keywords="trou, chaussée", service=service)
    CategoryQuestion.objects.create(category=category, code="taille", label="Quelle taille ?",
                                    datatype="singlevaluelist", required=True,
                                    options=[{"key": "petit", "name": "Petit"}, {"key": "grand", "name": "Grand"}])
    return category


@pytest.fixture
def lamp(sceaux):
    return Category.objects.create(organisation=sceaux, code="eclairage", name="Éclairage <public> & rues")


def make_report(category, **fields):
    values = {"organisation": category.organisation, "category": category, "latitude": SCEAUX_POINT[0],
              "longitude": SCEAUX_POINT[1], "description": "Un trou profond", "email": "secret@example.org",
              "address": "Rue Houdan"}
    # An explicit token: the model's default is longer than its column (see the report to the lead).
    values.setdefault("token", secrets.token_urlsafe(16))
    values.update(fields)
    return Report.objects.create(**values)


def make_key(organisation):
    from concerto.components.reports import workflow

    _key, raw = workflow.open311_key_create(actor=None, organisation=organisation, name="Application de test")
    return raw


def xml_of(response):
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)


def errors_of(response):
    data = response.json()
    assert isinstance(data, list) and data
    assert set(data[0]) == {"code", "description"}
    assert data[0]["code"] == response.status_code
    return data[0]["description"]


# Discovery and services ------------------------------------------------------------------------------

def test_discovery_names_the_endpoint_and_both_formats(client, db):
    data = client.get(BASE + "discovery.json").json()
    assert data["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert set(data["endpoints"][0]["formats"]) == {"application/json", "text/xml"}
    root = xml_of(client.get(BASE + "discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == ["application/json", "text/xml"]


def test_services_list_the_communes_active_categories(client, sceaux, montreuil, pothole, lamp):
    Category.objects.create(organisation=sceaux, code="ancienne", name="Ancienne", active=False)
    Category.objects.create(organisation=montreuil, code="tags", name="Tags")
    response = client.get(BASE + "services.json", {"jurisdiction_id": "92071"})
    assert response.status_code == 200
    data = response.json()
    assert_valid(data, "services.json")
    by_code = {service["service_code"]: service for service in data}
    assert set(by_code) == {"nid-de-poule", "eclairage"}
    assert by_code["nid-de-poule"]["metadata"] is True and by_code["eclairage"]["metadata"] is False
    assert by_code["nid-de-poule"]["group"] == "Voirie" and by_code["nid-de-poule"]["type"] == "realtime"

    root = xml_of(client.get(BASE + "services.xml", {"jurisdiction_id": "92071"}))
    assert root.tag == "services"
    names = {s.findtext("service_code"): s.findtext("service_name") for s in root.findall("service")}
    assert names["eclairage"] == "Éclairage <public> & rues"  # escaped in the XML, read back intact
    assert root.find("service/metadata").text in ("true", "false")


def test_services_need_a_known_jurisdiction(client, db):
    response = client.get(BASE + "services.json")
    assert response.status_code == 400 and "jurisdiction_id" in errors_of(response)
    response = client.get(BASE + "services.json", {"jurisdiction_id": "99999"})
    assert response.status_code == 404 and "99999" in errors_of(response)
    response = client.get(BASE + "services.xml", {"jurisdiction_id": "99999"})
    root = xml_of(response)
    assert response.status_code == 404
    assert root.tag == "errors" and root.findtext("error/code") == "404"
    assert "99999" in root.findtext("error/description")


def test_service_definition_gives_the_questions_as_attributes(client, pothole):
    response = client.get(BASE + "services/nid-de-poule.json", {"jurisdiction_id": "92071"})
    data = response.json()
    assert_valid(data, "service-definition.json")
    attribute = data["attributes"][0]
    assert attribute["code"] == "taille" and attribute["required"] is True
    assert attribute["datatype"] == "singlevaluelist"
    assert attribute["values"] == [{"key": "petit", "name": "Petit"}, {"key": "grand", "name": "Grand"}]

    root = xml_of(client.get(BASE + "services/nid-de-poule.xml", {"jurisdiction_id": "92071"}))
    assert root.tag == "service_definition" and root.findtext("service_code") == "nid-de-poule"
    assert [v.findtext("key") for v in root.findall("attributes/attribute/values/value")] == ["petit", "grand"]


def test_unknown_service_code_is_404(client, pothole):
    response = client.get(BASE + "services/inconnu.json", {"jurisdiction_id": "92071"})
    assert response.status_code == 404 and "inconnu" in errors_of(response)


# Reading requests ------------------------------------------------------------------------------------

def test_requests_give_public_fields_only_and_skip_hidden_reports(client, pothole):
    shown = make_report(pothole)
    make_report(pothole, hidden_at=timezone.now(), description="masqué")
    response = client.get(BASE + "requests.json", {"jurisdiction_id": "92071"})
    data = response.json()
    assert_valid(data, "requests.json")
    assert [item["service_request_id"] for item in data] == [str(shown.pk)]
    assert data[0]["status"] == "open" and data[0]["service_code"] == "nid-de-poule"
    assert "secret@example.org" not in response.content.decode()

    root = xml_of(client.get(BASE + "requests.xml"))
    assert root.tag == "service_requests"
    request = root.find("request")
    assert request.findtext("service_request_id") == str(shown.pk)
    for tag in ("status", "service_code", "requested_datetime", "lat", "long", "address"):
        assert request.find(tag) is not None
    assert "secret@example.org" not in client.get(BASE + "requests.xml").content.decode()


def test_requests_filter_by_status_code_ids_and_dates(client, pothole, lamp):
    open_one = make_report(pothole)
    closed = make_report(lamp, status=Report.Status.RESOLVED)
    old = make_report(pothole)
    Report.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=200))

    def ids(**params):
        return [item["service_request_id"] for item in client.get(BASE + "requests.json", params).json()]

    assert set(ids()) == {str(open_one.pk), str(closed.pk)}  # the last 90 days by default
    assert ids(status="closed") == [str(closed.pk)]
    assert ids(service_code="nid-de-poule") == [str(open_one.pk)]
    assert ids(service_request_id=f"{old.pk},{closed.pk}") == [str(closed.pk), str(old.pk)]
    start = (timezone.now() - timedelta(days=210)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (timezone.now() - timedelta(days=150)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids(start_date=start, end_date=end) == [str(old.pk)]
    assert ids(jurisdiction_id="93048") == []


@pytest.mark.parametrize("params, words", [
    ({"start_date": "hier"}, "start_date"),
    ({"end_date": "2026-13-45T00:00:00Z"}, "end_date"),
    ({"start_date": "2025-01-01T00:00:00Z", "end_date": "2025-06-01T00:00:00Z"}, "90"),
    ({"status": "pending"}, "status"),
    ({"service_request_id": "12,abc"}, "service_request_id"),
    ({"lat": "91", "long": "2.3"}, "lat"),
])
def test_malformed_request_filters_are_400(client, db, params, words):
    response = client.get(BASE + "requests.json", params)
    assert response.status_code == 400
    assert words in errors_of(response)


def test_one_request_and_its_token(client, pothole):
    report = make_report(pothole, description="Trou <b>profond</b> & dangereux\x0b")
    data = client.get(BASE + f"requests/{report.pk}.json").json()
    assert_valid(data, "requests.json")
    assert data[0]["service_request_id"] == str(report.pk)
    root = xml_of(client.get(BASE + f"requests/{report.pk}.xml"))
    assert root.findtext("request/service_request_id") == str(report.pk)
    # Markup is escaped and a character XML forbids is dropped: the document stays well-formed.
    assert root.findtext("request/description") == "Trou <b>profond</b> & dangereux"

    data = client.get(BASE + f"tokens/{report.token}.json").json()
    assert data == [{"service_request_id": str(report.pk), "token": report.token}]
    root = xml_of(client.get(BASE + f"tokens/{report.token}.xml"))
    assert root.findtext("request/service_request_id") == str(report.pk)


def test_unknown_or_hidden_request_and_unknown_token_are_404(client, pothole):
    hidden = make_report(pothole, hidden_at=timezone.now())
    for url in (f"requests/{hidden.pk}.json", "requests/987654.json", "requests/abc.json", "tokens/nope.json"):
        response = client.get(BASE + url)
        assert response.status_code == 404, url
        errors_of(response)


# Posting requests ------------------------------------------------------------------------------------

def post_data(**changes):
    data = {"jurisdiction_id": "92071", "service_code": "nid-de-poule", "lat": str(SCEAUX_POINT[0]),
            "long": str(SCEAUX_POINT[1]), "email": "habitant@example.org", "description": "Un nid-de-poule",
            "attribute[taille]": "grand", "first_name": "Camille", "phone": "0102030405", "device_id": "app-42"}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_a_client_with_the_communes_key_posts_a_request(client, places, pothole):
    raw = make_key(places[0])
    response = client.post(BASE + "requests.json", post_data(api_key=raw))
    assert response.status_code == 200, response.content
    data = response.json()
    report = Report.objects.get(pk=int(data[0]["service_request_id"]))
    assert data[0]["token"] == report.token
    assert report.channel == "api" and report.organisation == places[0] and report.category == pothole
    assert report.answers == {"taille": "grand"} and report.device_id == "app-42"
    # The new request is readable at once, without the personal data given.
    detail = client.get(BASE + f"requests/{report.pk}.json")
    assert detail.json()[0]["description"] == "Un nid-de-poule"
    assert "0102030405" not in detail.content.decode() and "Camille" not in detail.content.decode()

    root = xml_of(client.post(BASE + "requests.xml", post_data(api_key=raw)))
    assert root.tag == "service_requests" and root.findtext("request/service_request_id").isdigit()
    assert root.findtext("request/token")


@pytest.mark.parametrize("changes, status, words", [
    ({"api_key": None}, 403, "api_key"),
    ({"api_key": "mauvaise-cle"}, 403, "api_key"),
    ({"jurisdiction_id": None}, 400, "jurisdiction_id"),
    ({"jurisdiction_id": "00000"}, 404, "jurisdiction_id"),
    ({"service_code": "inconnu"}, 404, "service_code"),
    ({"service_code": None}, 400, "service_code"),
    ({"lat": "abc"}, 400, "lat"),
    ({"long": "200"}, 400, "long"),
    ({"lat": None, "long": None, "address_string": "1 rue Houdan"}, 400, "address_string"),
    ({"lat": str(MONTREUIL_POINT[0]), "long": str(MONTREUIL_POINT[1])}, 400, "lat/long"),
    ({"attribute[taille]": None}, 400, "attribute[taille]"),
    ({"attribute[taille]": "immense"}, 400, "attribute[taille]"),
])
def test_bad_posts_are_refused_with_the_specifications_errors(client, places, pothole, changes, status, words):
    raw = make_key(places[0])
    data = post_data(api_key=raw)
    data.update(changes)
    response = client.post(BASE + "requests.json", {k: v for k, v in data.items() if v is not None})
    assert response.status_code == status, response.content
    assert words in errors_of(response)
    assert not Report.objects.exists()


def test_a_refusal_in_french_puts_a_non_breaking_space_before_the_colon(client, places, pothole):
    raw = make_key(places[0])
    data = post_data(api_key=raw)
    data.update(lat=str(MONTREUIL_POINT[0]), long=str(MONTREUIL_POINT[1]))
    response = client.post(BASE + "requests.json", data, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400
    assert "lat/long\u00a0: " in errors_of(response)


def test_a_revoked_key_is_refused(client, places, pothole):
    from concerto.components.reports import workflow

    raw = make_key(places[0])
    workflow.open311_key_revoke(actor=None, key=workflow.open311_key_authenticate(raw))
    response = client.post(BASE + "requests.json", post_data(api_key=raw))
    assert response.status_code == 403 and "api_key" in errors_of(response)
    assert not Report.objects.exists()


def test_a_key_of_another_commune_is_refused(client, places, pothole):
    raw = make_key(places[1])  # Montreuil's key
    response = client.post(BASE + "requests.xml", post_data(api_key=raw))
    assert response.status_code == 403
    assert xml_of(response).findtext("error/code") == "403"
    assert not Report.objects.exists()


# The PyPI client ------------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_the_georeport_client_reads_services_and_requests(live_server):
    georeport = pytest.importorskip("georeport")
    from concerto import testing

    sceaux = testing.commune("sceaux")
    category = Category.objects.create(organisation=sceaux, code="tags", name="Tags", group="Propreté")
    report = make_report(category)
    api = georeport.GeoReport(live_server.url + BASE, jurisdiction="92071")
    assert [s["service_code"] for s in api.get_service_list()] == ["tags"]
    assert [r["service_request_id"] for r in api.get_service_requests(status="open")] == [str(report.pk)]
    xml_api = georeport.GeoReport(live_server.url + BASE, jurisdiction="92071", output_format="xml")
    assert xml_api.get_service_list()["service_code"] == "tags"


def test_past_the_send_limit_a_key_gets_a_429_in_the_specifications_format(client, rate_limits, places, pothole):
    rate_limits.CONCERTO_RATE_LIMITS = {"report": (1, 3600)}
    raw = make_key(places[0])
    assert client.post(BASE + "requests.json", post_data(api_key=raw)).status_code == 200
    refused = client.post(BASE + "requests.json", post_data(api_key=raw))
    assert refused.status_code == 429 and refused["Retry-After"] == "3600"
    assert refused.json()[0]["code"] == 429 and "Vous avez beaucoup envoyé" in errors_of(refused)
    refused = client.post(BASE + "requests.xml", post_data(api_key=raw))
    assert refused.status_code == 429 and xml_of(refused).findtext("error/code") == "429"
    assert Report.objects.count() == 1
    # Limits count per key: another application of the commune still posts.
    assert client.post(BASE + "requests.json", post_data(api_key=make_key(places[0]))).status_code == 200


def test_requests_the_service_refuses_do_not_count_toward_the_send_limit(client, rate_limits, places, pothole):
    rate_limits.CONCERTO_RATE_LIMITS = {"report": (1, 3600)}
    raw = make_key(places[0])
    for _ in range(3):
        refused = client.post(BASE + "requests.json", post_data(api_key=raw, **{"attribute[taille]": "immense"}))
        assert refused.status_code == 400 and "attribute[taille]" in errors_of(refused)
    assert client.post(BASE + "requests.json", post_data(api_key=raw)).status_code == 200
