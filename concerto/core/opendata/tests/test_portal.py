"""The open-data portal as a reuser sees it: pages, downloads without a session, the DCAT-AP catalogue, the
data packages, and nothing personal or unpublished in any file."""

import csv
import io
import json
import time
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rdflib import Graph
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, RDF

from concerto.core.opendata import datasets, files, views
from concerto.core.opendata.models import OpenDataFile
from concerto.core.participation.models import Contribution

from .conftest import SECRET_EMAIL, SECRET_NAME, UNPUBLISHED_TITLE

pytestmark = pytest.mark.django_db

SHAPES = Path(__file__).parent / "shapes"


def _catalogue(client, fmt="ttl") -> Graph:
    response = client.get(f"/donnees/catalogue.{fmt}")
    assert response.status_code == 200
    return Graph().parse(data=response.content, format="turtle" if fmt == "ttl" else "json-ld")


def test_the_portal_lists_the_datasets_of_published_spaces_only(client, portal):
    page = client.get("/donnees/sceaux/").content.decode()
    for title in ("Propositions", "Rencontres et participation", "Signalements", "Espaces de participation"):
        assert title in page
    assert "Sondages" not in page  # the only polls component is in an unpublished space
    assert client.get("/donnees/sceaux/sondages/").status_code == 404
    assert client.get("/donnees/").status_code == 200


def test_a_dataset_page_shows_licence_frequency_fields_and_downloads(client, portal):
    page = client.get("/donnees/sceaux/propositions/").content.decode()
    assert "Licence Ouverte 2.0" in page
    assert "Chaque nuit" in page
    assert "<code>supports</code>" in page
    for fmt in ("csv", "json", "geojson"):
        assert f"/donnees/sceaux/propositions.{fmt}" in page


def test_the_licence_is_the_organisations_setting(client, staff_client, admin_sceaux, portal, sceaux):
    assert "etalab" in client.get("/donnees/catalogue.ttl").content.decode()
    settings_url = reverse("backoffice:settings", args=["sceaux"])
    response = staff_client(admin_sceaux).post(settings_url, {"open_data_licence": "odbl-1.0"})
    assert response.status_code == 302
    assert "Open Database License" in client.get("/donnees/sceaux/propositions/").content.decode()
    catalogue = _catalogue(client)
    dataset = next(s for s in catalogue.subjects(RDF.type, DCAT.Dataset) if str(s).endswith("/sceaux/propositions/"))
    assert str(catalogue.value(dataset, DCTERMS.license)) == "https://opendatacommons.org/licenses/odbl/1-0/"
    assert staff_client(admin_sceaux).post(settings_url, {"open_data_licence": "cc0"}).status_code == 400


@pytest.mark.parametrize("url", ["/donnees/sceaux/inconnu/", "/donnees/sceaux/inconnu.csv",
                                 "/donnees/nulle-part/propositions/", "/donnees/sceaux/espaces.geojson",
                                 "/donnees/sceaux/sondages.csv"])
def test_an_unknown_dataset_is_a_french_404(client, portal, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "introuvable" in response.content.decode().lower() or "n’existe" in response.content.decode()


def test_every_download_of_the_catalogue_answers_without_a_session_and_holds_nothing_personal(portal):
    anonymous = Client()
    graph = _catalogue(anonymous)
    urls = sorted(str(url) for url in graph.objects(None, DCAT.downloadURL))
    assert any(url.endswith("/sceaux/signalements.geojson") for url in urls)
    expected = {"csv": "text/csv", "json": "application/json", "geojson": "application/geo+json"}
    for url in urls:
        path = url.split("://", 1)[1].split("/", 1)[1]
        response = anonymous.get("/" + path)
        assert response.status_code == 200, url
        fmt = path.rsplit(".", 1)[1]
        assert response["Content-Type"].split(";")[0] == expected[fmt]
        body = b"".join(response.streaming_content).decode("utf-8")
        assert SECRET_EMAIL not in body and "@" not in body, url
        assert SECRET_NAME not in body and UNPUBLISHED_TITLE not in body, url
        if fmt == "geojson":
            collection = json.loads(body)
            assert collection["type"] == "FeatureCollection"
        if fmt == "json":
            assert isinstance(json.loads(body), list)
        if fmt == "csv":
            header = next(csv.reader(io.StringIO(body)))
            assert header[0] in {"id", "commune", "COLL_NOM", "consultation_id", "budget_id"}


def test_the_geojson_keeps_the_positions_of_reports(client, portal):
    response = client.get("/donnees/sceaux/signalements.geojson")
    feature = json.loads(b"".join(response.streaming_content))["features"][0]
    assert feature["geometry"] == {"type": "Point", "coordinates": [2.299, 48.7745]}
    assert feature["properties"]["description"] == "Le lampadaire est éteint."


def test_a_download_has_an_etag_and_answers_304_when_unchanged(client, portal):
    first = client.get("/donnees/sceaux/propositions.csv")
    assert first["ETag"] and first["Last-Modified"]
    again = client.get("/donnees/sceaux/propositions.csv", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    rows = list(csv.DictReader(io.StringIO(b"".join(first.streaming_content).decode())))
    assert [(row["title"], row["supports"]) for row in rows] == [("Un verger partagé", "0")]


def test_the_nightly_job_writes_every_file_and_a_new_row_shows_after_it(client, portal, secret_person):
    assert files.generate_all() >= 5
    assert OpenDataFile.objects.filter(organisation__slug="sceaux", dataset="signalements").count() == 3
    before = client.get("/donnees/sceaux/propositions.json")
    from concerto.components.proposals import services

    services.proposal_create(author=secret_person, component=portal["proposals"], title="Des bancs",
                             text="Pour s'asseoir.")
    files.generate_all()
    after = client.get("/donnees/sceaux/propositions.json", HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert [row["title"] for row in json.loads(b"".join(after.streaming_content))] == [
        "Un verger partagé", "Des bancs"]


def test_the_catalogue_is_one_graph_in_two_serialisations_and_conforms_to_dcat_ap(client, portal, sceaux):
    from pyshacl import validate

    files.generate_all()
    turtle, jsonld = _catalogue(client, "ttl"), _catalogue(client, "jsonld")
    assert isomorphic(turtle, jsonld)
    shapes = Graph()
    for name in ("dcat-ap-2.1.1-mandatory.ttl", "concerto-profile.ttl"):
        shapes.parse(SHAPES / name, format="turtle")
    conforms, _graph, report = validate(turtle, shacl_graph=shapes, inference="none")
    assert conforms, report
    sceaux_propositions = next(s for s in turtle.subjects(RDF.type, DCAT.Dataset)
                               if str(s).endswith("/donnees/sceaux/propositions/"))
    publisher = turtle.value(sceaux_propositions, DCTERMS.publisher)
    assert sceaux.siren and str(turtle.value(publisher, DCTERMS.identifier)) == sceaux.siren
    assert str(turtle.value(sceaux_propositions, DCTERMS.spatial)).endswith("/commune/92071")
    assert turtle.value(sceaux_propositions, DCTERMS.modified) is not None
    assert not any("pas-encore" in str(s) or "sondages" in str(s) for s in turtle.subjects(RDF.type, DCAT.Dataset))


def test_the_catalogue_comes_from_the_cache_in_under_50_ms(client, portal):
    client.get("/donnees/catalogue.ttl")
    started = time.perf_counter()
    response = client.get("/donnees/catalogue.jsonld")
    elapsed = time.perf_counter() - started
    assert response.status_code == 200 and response["Content-Type"] == "application/ld+json"
    assert elapsed < 0.05, elapsed
    assert cache.get(files.CATALOGUE_CACHE_KEY)


def test_every_data_package_is_valid_with_frictionless(client, portal, tmp_path):
    from frictionless import Package

    for published in datasets.scope_datasets(portal["space"].organisation):
        name = published.dataset.name
        response = client.get(f"/donnees/sceaux/{name}/datapackage.json")
        assert response.status_code == 200
        served = json.loads(response.content)
        assert served["resources"][0]["path"].endswith(f"/donnees/sceaux/{name}.csv")
        local = tmp_path / f"{name}.csv"
        local.write_bytes(b"".join(client.get(f"/donnees/sceaux/{name}.csv").streaming_content))
        descriptor = views.descriptor(published, portal["space"].organisation, path=local.name)
        report = Package(descriptor, basepath=str(tmp_path)).validate()
        assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_the_ledger_leaves_out_counts_under_five(portal, sceaux):
    component = portal["proposals"]
    month = timezone.now().strftime("%Y-%m")
    rows = list(datasets.ledger_rows(components=datasets.scope_components(sceaux), organisation=sceaux))
    small = next(row for row in rows if row["component_id"] == component.pk and row["month"] == month)
    assert small["suppressed"] and small["contributions"] is None and small["participants"] is None
    first = Contribution.objects.filter(component=component).first()
    from concerto.testing import UserFactory

    for number in range(5):
        Contribution.objects.create(
            organisation=sceaux, component=component, kind="proposals.support", target_type=first.target_type,
            target_id=first.target_id, channel="web", author=UserFactory(email=f"p{number}@example.org"),
            created_at=timezone.now())
    rows = list(datasets.ledger_rows(components=datasets.scope_components(sceaux), organisation=sceaux))
    counted = next(row for row in rows if row["component_id"] == component.pk and row["month"] == month)
    assert (counted["suppressed"], counted["contributions"], counted["participants"]) == (False, 6, 6)


def test_the_api_serves_the_same_rows_paged_without_a_session(client, portal, secret_person):
    from concerto.components.proposals import services

    for number in range(3):
        services.proposal_create(author=secret_person, component=portal["proposals"], title=f"Idée {number}",
                                 text="Un texte.")
    listed = client.get("/api/v1/donnees/sceaux").json()
    propositions = next(d for d in listed if d["name"] == "propositions")
    assert propositions["downloads"]["geojson"].endswith("/donnees/sceaux/propositions.geojson")
    assert "sondages" not in {d["name"] for d in listed}
    page = client.get("/api/v1/donnees/sceaux/propositions?limit=2&offset=1").json()
    assert page["count"] == 4
    assert [row["title"] for row in page["items"]] == ["Idée 0", "Idée 1"]
    assert client.get("/api/v1/donnees/sceaux/inconnu").status_code == 404
    assert client.get("/api/v1/donnees/nulle-part").status_code == 404


def test_a_budget_with_published_results_offers_its_anonymous_ballots_as_pabulib(client, agent):
    from concerto.components.budgets import results
    from concerto.components.budgets.tests.test_results_setup import small_election

    budget, _projects = small_election(name="Toute la ville")
    scope = budget.component.space.organisation.slug
    page = client.get(f"/donnees/{scope}/projets-budget-participatif/").content.decode()
    assert "pabulib" not in page  # not counted yet
    results.result_publish(actor=agent, result=results.result_compute(actor=agent, budget=budget))
    page = client.get(f"/donnees/{scope}/projets-budget-participatif/").content.decode()
    assert "Bulletins anonymes (pabulib)\u00a0: Toute la ville" in page
    graph = _catalogue(Client())
    pabulib = [str(url) for url in graph.objects(None, DCAT.downloadURL) if str(url).endswith("/bulletins.pb")]
    assert len(pabulib) >= 1
    response = Client().get("/" + pabulib[0].split("://", 1)[1].split("/", 1)[1])
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert text.startswith("META") and "@" not in text
