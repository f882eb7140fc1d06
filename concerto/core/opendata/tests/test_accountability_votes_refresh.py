"""The datasets of decisions, actions and budget votes as a reuser downloads them, and the files written again a few
minutes after their data changed (one writing for a burst of changes, by the worker)."""

import csv
import datetime
import io
import json
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import timezone

from concerto.core.accountability import services as accountability
from concerto.core.accountability.models import Decision, DecisionLink
from concerto.core.opendata import datasets, files, refresh, views
from concerto.core.opendata.models import OpenDataFile, OpenDataRefresh

from .conftest import SCEAUX_POINT, SECRET_EMAIL, SECRET_NAME

pytestmark = pytest.mark.django_db

SHAPES = Path(__file__).parent / "shapes"


def _get(path: str) -> str:
    response = Client().get(path)
    assert response.status_code == 200, path
    return b"".join(response.streaming_content).decode("utf-8")


def _csv(path: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(_get(path))))


@pytest.fixture
def decided(portal, sceaux, agent):
    """Sceaux's council adopted the proposal of the portal: one late action in the park; an archived decision."""
    from concerto.components.proposals.models import Proposal

    proposal = Proposal.objects.get(component=portal["proposals"])
    decision = accountability.decision_create(
        actor=agent, organisation=sceaux, space=portal["space"], title="Un verger au parc",
        decided_on=datetime.date(2026, 3, 12), body=Decision.Body.MUNICIPAL_COUNCIL, deliberation_number="2026-031",
        text="Le conseil municipal adopte la plantation.")
    accountability.decision_link_add(actor=agent, decision=decision, target=proposal,
                                     status=DecisionLink.Status.ADOPTED, explanation="Planté à l’automne.")
    action = accountability.action_create(
        actor=agent, decision=decision, title="Planter vingt pommiers", stage="works", progress=40,
        budget_planned=Decimal("12000"), budget_spent=Decimal("4500.50"), planned_start=datetime.date(2026, 4, 1),
        planned_end=timezone.localdate() - datetime.timedelta(days=10), actual_start=datetime.date(2026, 4, 8),
        latitude=SCEAUX_POINT[0], longitude=SCEAUX_POINT[1], address="Parc de Sceaux")
    archived = accountability.decision_create(
        actor=agent, organisation=sceaux, title="Décision retirée", decided_on=datetime.date(2026, 1, 5),
        body=Decision.Body.MAYOR)
    accountability.decision_delete(actor=agent, decision=archived)
    return {"decision": decision, "action": action, "proposal": proposal}


def test_the_decisions_follow_the_scdl_names_and_count_the_answers(decided):
    rows = _csv("/donnees/sceaux/decisions.csv")
    assert [row["DELIB_OBJET"] for row in rows] == ["Un verger au parc"]  # the archived one is not public
    row = rows[0]
    assert row["COLL_NOM"] == "Sceaux" and row["DELIB_ID"] == "2026-031" and row["DELIB_DATE"] == "2026-03-12"
    assert row["COLL_SIRET"] == row["DELIB_MATIERE_CODE"] == row["DELIB_MATIERE_NOM"] == ""
    assert row["body"] == "municipal_council" and row["actions"] == "1" and row["space"] == "Ville ouverte"
    assert (row["answers_adopted"], row["answers_partly"], row["answers_not_adopted"]) == ("1", "0", "0")
    assert list(rows[0])[:7] == ["COLL_NOM", "COLL_SIRET", "DELIB_ID", "DELIB_DATE", "DELIB_MATIERE_CODE",
                                 "DELIB_MATIERE_NOM", "DELIB_OBJET"]


def test_the_actions_are_located_late_and_hold_nothing_personal(decided):
    [row] = json.loads(_get("/donnees/sceaux/actions.json"))
    assert row["title"] == "Planter vingt pommiers" and row["decision"] == "Un verger au parc"
    assert row["stage"] == "works" and row["progress"] == 40 and row["late"] is True
    assert row["budget_planned"] == 12000 and row["budget_spent"] == 4500.5
    assert row["actual_start"] == "2026-04-08" and row["actual_end"] == ""
    assert row["commune_insee"] == "92071" and row["answers_adopted"] == 1
    collection = json.loads(_get("/donnees/sceaux/actions.geojson"))
    [feature] = collection["features"]
    assert feature["geometry"]["coordinates"] == [SCEAUX_POINT[1], SCEAUX_POINT[0]]
    assert feature["properties"]["late"] is True
    for path in ("/donnees/sceaux/actions.csv", "/donnees/sceaux/decisions.csv", "/donnees/sceaux/actions.geojson"):
        body = _get(path)
        assert SECRET_EMAIL not in body and SECRET_NAME not in body and "@" not in body
    # The commune's files and the Métropole's say the same.
    assert [r["DELIB_OBJET"] for r in _csv("/donnees/metropole/decisions.csv")] == ["Un verger au parc"]


def test_the_new_datasets_validate_as_data_packages_and_in_the_dcat_catalogue(decided, agent, tmp_path):
    from frictionless import Package
    from pyshacl import validate
    from rdflib import Graph

    from concerto.components.budgets import results
    from concerto.components.budgets.tests.test_results_setup import small_election

    budget, _projects = small_election(name="Toute la ville")
    results.result_publish(actor=agent, result=results.result_compute(actor=agent, budget=budget))
    scope = budget.component.space.organisation
    for organisation, name in ((decided["decision"].organisation, "decisions"),
                               (decided["decision"].organisation, "actions"),
                               (scope, "votes-budget-participatif")):
        published = datasets.dataset_get(name)
        local = tmp_path / f"{organisation.slug}-{name}.csv"
        local.write_text(_get(f"/donnees/{organisation.slug}/{name}.csv"), encoding="utf-8")
        descriptor = views.descriptor(published, organisation, path=local.name)
        report = Package(descriptor, basepath=str(tmp_path)).validate()
        assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
        assert report.tasks[0].stats["rows"] >= 1
    graph = Graph().parse(data=Client().get("/donnees/catalogue.ttl").content, format="turtle")
    shapes = Graph()
    for shape in ("dcat-ap-2.1.1-mandatory.ttl", "concerto-profile.ttl"):
        shapes.parse(SHAPES / shape, format="turtle")
    conforms, _graph, text = validate(graph, shacl_graph=shapes, inference="none")
    assert conforms, text
    assert any(str(s).endswith("/donnees/sceaux/decisions/") for s in graph.subjects())


def test_the_votes_of_each_project_of_a_published_budget(agent):
    from concerto.components.budgets import results
    from concerto.components.budgets.tests.test_results_setup import small_election

    budget, projects = small_election(name="Toute la ville")
    scope = budget.component.space.organisation.slug
    assert _csv(f"/donnees/{scope}/votes-budget-participatif.csv") == []  # not published yet
    result = results.result_compute(actor=agent, budget=budget)
    results.result_publish(actor=agent, result=result)
    OpenDataFile.objects.all().delete()  # as the nightly job would, write the files again
    rows = _csv(f"/donnees/{scope}/votes-budget-participatif.csv")
    assert {row["title"] for row in rows} == {project.title for project in projects}
    outcome = {item["project"]: item for item in result.outcome["projects"]}
    for row in rows:
        assert float(row["votes"]) == outcome[row["project_id"]]["votes"]
        assert (row["selected"] == "True") == outcome[row["project_id"]]["selected"]
        assert row["budget"] == "Toute la ville" and row["ballots"] == str(result.ballots)
    assert any(row["selected"] == "True" for row in rows) and any(row["selected"] == "False" for row in rows)


def test_a_change_marks_each_scope_once_and_the_worker_writes_the_file_again(
        portal, sceaux, secret_person, settings, django_capture_on_commit_callbacks, monkeypatch):
    from concerto.components.proposals import services as proposal_services

    settings.CONCERTO_OPENDATA_REFRESH_SECONDS = 300
    before = _get("/donnees/sceaux/propositions.csv")  # the first download writes the file
    etag = OpenDataFile.objects.get(dataset="propositions", organisation=sceaux, format="csv").etag
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(3):  # a burst of changes
            proposal_services.proposal_create(author=secret_person, component=portal["proposals"],
                                              title=f"Un banc de plus {number}", text="Près du kiosque.")
    waiting = OpenDataRefresh.objects.filter(dataset="propositions")
    # One row for Sceaux, one for each scope above it (its territory, the Métropole), whatever the number of changes.
    assert waiting.filter(organisation=sceaux).count() == 1
    assert waiting.count() == len(refresh.scopes_of(sceaux.pk)) >= 2
    # Nothing is written inside the request: the file is as it was.
    assert _get("/donnees/sceaux/propositions.csv") == before
    enqueued = []
    task = refresh.dataset_refresh
    monkeypatch.setattr(refresh, "dataset_refresh", SimpleNamespace(enqueue=enqueued.append))
    now = timezone.now()
    assert refresh.refresh_due(now) == 0  # not due yet
    own = waiting.get(organisation=sceaux)
    assert refresh.refresh_due(own.due_at) == 1  # the commune's is due first; the wider scopes wait longer
    assert refresh.refresh_due(own.due_at) == 0  # handed once
    assert enqueued == [own.pk]
    assert task.call(own.pk) == 3  # the worker runs it: CSV, JSON, GeoJSON
    assert not OpenDataRefresh.objects.filter(pk=own.pk).exists()
    after = _get("/donnees/sceaux/propositions.csv")
    assert "Un banc de plus 2" in after and "Un banc de plus 2" not in before
    assert OpenDataFile.objects.get(dataset="propositions", organisation=sceaux, format="csv").etag != etag


def test_a_scope_never_downloaded_is_left_to_its_first_download(portal, sceaux, secret_person,
                                                                django_capture_on_commit_callbacks):
    from concerto.components.proposals import services as proposal_services

    with django_capture_on_commit_callbacks(execute=True):
        proposal_services.proposal_create(author=secret_person, component=portal["proposals"], title="Un kiosque",
                                          text="Pour la musique.")
    row = OpenDataRefresh.objects.get(dataset="propositions", organisation=sceaux)
    assert refresh.dataset_refresh.call(row.pk) == 0
    assert not OpenDataFile.objects.filter(dataset="propositions").exists()
    assert files.file_get(datasets.dataset_get("propositions"), sceaux, "csv").rows == 2
