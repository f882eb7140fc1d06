"""pabulib files: the published ballots anyone can recount (with pabutools too), and elections replayed from a
file in the back-office."""

import html
import io
import json
import random
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from pabutools.election import Cost_Sat, parse_pabulib
from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares

from concerto.components.budgets import counting, pabulib, results
from concerto.components.budgets.models import Ballot, BallotChoice, Budget, Project
from concerto.components.budgets.tests.test_results_setup import (
    budget_component,
    import_url,
    small_election,
)
from concerto.core.audit.models import AuditEntry
from concerto.core.jobs.models import Job
from concerto.testing import SHARED_DATA

pytestmark = pytest.mark.django_db

PABULIB = SHARED_DATA / "pabulib"
WARSZAWA = PABULIB / "Poland_Warszawa_2018_Pole_Mokotowskie.pb"
ASSEN = PABULIB / "Netherlands_Assen_2024.pb"


def shared(path: Path) -> str:
    if not path.exists():
        pytest.skip(f"the shared pabulib files are absent ({path})")
    return path.read_text(encoding="utf-8")


def random_election(component, *, rule, voters=80, seed=7):
    """A budget of 12 projects and VOTERS approval ballots drawn with SEED (bulk, fast)."""
    rng = random.Random(seed)
    budget = Budget.objects.create(component=component, name=f"Quartier {seed}", amount=100_000, rule=rule)
    projects = Project.objects.bulk_create([
        Project(component=component, budget=budget, title=f"Projet {n}", text="<p>.</p>", on_ballot=True,
                final_cost=rng.randrange(5_000, 45_000, 500), ballot_number=n) for n in range(1, 13)])
    ballots = Ballot.objects.bulk_create([Ballot(budget=budget, voter_key=f"test:{n}") for n in range(voters)])
    popularity = [rng.random() for _project in projects]
    BallotChoice.objects.bulk_create([
        BallotChoice(ballot=ballot, project=project)
        for ballot in ballots for project, p in zip(projects, popularity, strict=True) if rng.random() < p * 0.6])
    return budget


def pabutools_winners(path: Path, rule: str) -> list[str]:
    instance, profile = parse_pabulib(str(path))
    if rule == "greedy":
        allocation = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
    else:
        allocation = method_of_equal_shares(instance, profile, sat_class=Cost_Sat, voter_budget_increment=1)
    return sorted(project.name for project in allocation)


@pytest.mark.parametrize("rule", [Budget.Rule.GREEDY, Budget.Rule.MES])
def test_pabutools_recounts_the_published_file_to_the_published_winners(agent, client, tmp_path, rule):
    budget = random_election(budget_component(), rule=rule)
    result = results.result_publish(actor=agent, result=results.result_compute(actor=agent, budget=budget))
    published = sorted(str(pk) for pk in Project.objects.filter(budget=budget, selected=True)
                       .values_list("pk", flat=True))
    assert published  # the count funds something
    space = budget.component.space
    response = client.get(f"/sceaux/{space.slug}/budget-participatif/{budget.component_id}/resultats/{budget.pk}/"
                          "bulletins.pb")
    assert response.status_code == 200
    path = tmp_path / "bulletins.pb"
    path.write_bytes(response.content)
    assert pabutools_winners(path, rule) == published
    assert sorted(results.outcome_of(result).selected) == published


def test_published_file_is_anonymous_and_describes_the_vote(agent):
    budget, projects = small_election(rule=Budget.Rule.MES)
    result = results.result_publish(actor=agent, result=results.result_compute(actor=agent, budget=budget))
    text = pabulib.pabulib_text(result=result)
    election = counting.read_pabulib(text)
    meta = election.meta
    assert meta["country"] == "France" and meta["unit"] == "Sceaux" and meta["instance"] == "Toute la ville"
    assert meta["rule"] == "equalshares/add1" and meta["vote_type"] == "approval" and meta["language"] == "fr"
    assert meta["budget"] == "1000" and meta["num_votes"] == "10" and meta["num_projects"] == "4"
    assert meta["date_begin"] and meta["date_end"]
    assert election.project_meta[str(projects[0].pk)] == {
        "votes": "8", "name": "Un verger partagé", "category": "", "selected": "1"}
    # Voters are 1..10 and nothing else: no key, no commune, no channel.
    assert [row for row in election.voter_meta] == [{"voter_id": str(n)} for n in range(1, 11)]
    assert "test:" not in text and "sceaux" not in text.split("VOTES")[1].lower()
    assert "paper" not in text and "web" not in text
    # The same result always gives the same file; the order of the ballots is not the order of the votes.
    assert pabulib.pabulib_text(result=result) == text
    assert sorted(len(b) for b in election.ballots) == sorted(len(b) for b in results.election_for(
        budget=budget).ballots)


def test_file_round_trip_replays_to_the_same_winners(agent, admin_sceaux, staff_client):
    budget = random_election(budget_component(), rule=Budget.Rule.MES, seed=11)
    result = results.result_publish(actor=agent, result=results.result_compute(actor=agent, budget=budget))
    text = pabulib.pabulib_text(result=result)
    client = staff_client(admin_sceaux)
    response = client.post(import_url(budget.component), {
        "file": SimpleUploadedFile("bulletins.pb", text.encode()), "name": "Rejeu", "rule": "mes", "amount": "",
        "ballot_kind": ""})
    assert response.status_code == 302
    replay = Budget.objects.get(component=budget.component, name="Rejeu")
    replayed = results.result_compute(actor=admin_sceaux, budget=replay)
    by_pk = dict(Project.objects.filter(budget=replay).values_list("pk", "external_id"))
    assert sorted(by_pk[int(pk)] for pk in results.outcome_of(replayed).selected) == sorted(
        results.outcome_of(result).selected)


def test_importing_warsaw_creates_the_budget_and_counts_like_pb_count(agent, staff_client):
    text = shared(WARSZAWA)
    component = budget_component()
    response = staff_client(agent).post(import_url(component), {
        "file": SimpleUploadedFile(WARSZAWA.name, text.encode()), "name": "Pole Mokotowskie 2018",
        "rule": "greedy", "ballot_kind": "approval", "amount": ""})
    assert response.status_code == 302
    budget = Budget.objects.get(component=component, name="Pole Mokotowskie 2018")
    assert budget.amount == 21064 and budget.rule == "greedy" and budget.ballot_published_at is not None
    project = budget.projects.get()
    assert (project.external_id, project.final_cost, project.on_ballot) == ("658", 21064, True)
    assert project.title.startswith("Dobre grzyby")
    ballots = budget.ballots.all()
    assert ballots.count() == 8 and {b.voter_id for b in ballots} == {None}
    assert {b.channel for b in ballots} == {"api"} and ballots.filter(voter_key="import:1").exists()
    assert AuditEntry.objects.filter(action="budgets.pabulib_imported", target_id=str(budget.pk)).exists()
    # The vote of a replayed election happened elsewhere: it can be counted at once.
    result = results.result_compute(actor=agent, budget=budget)
    output = io.StringIO()
    call_command("pb_count", str(WARSZAWA), "--rule", "greedy", stdout=output)
    assert [project.external_id for project in Project.objects.filter(
        pk__in=[int(pk) for pk in results.outcome_of(result).selected])] == json.loads(output.getvalue()) == ["658"]


def test_importing_assen_with_equal_shares_gives_the_official_winners(agent):
    text = shared(ASSEN)
    budget = pabulib.pabulib_import(actor=agent, component=budget_component(), text=text, name="Assen 2024",
                                    rule=Budget.Rule.MES)
    result = results.result_compute(actor=agent, budget=budget)
    external = dict(Project.objects.filter(budget=budget).values_list("pk", "external_id"))
    ours = sorted(external[int(pk)] for pk in results.outcome_of(result).selected)
    official = sorted(pid for pid, row in counting.read_pabulib(text).project_meta.items() if row["selected"] == "1")
    assert ours == official


def test_malformed_file_gives_the_engine_message_and_creates_nothing(agent, staff_client):
    component = budget_component()
    broken = shared(WARSZAWA).replace("658;21064;8", "658;vingt mille;8")
    # The request checks what it can at once (size, text, a pabulib file); the worker reads it and fails.
    response = staff_client(agent).post(import_url(component), {
        "file": SimpleUploadedFile("casse.pb", broken.encode()), "name": "Cassé", "rule": "greedy"}, follow=True)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "Échec\u00a0: Ce fichier pabulib ne peut pas être lu" in page and "vingt mille" in page
    assert not Budget.objects.filter(component=component).exists()
    assert not Project.objects.filter(component=component).exists()


def test_import_refuses_a_file_whose_ballots_do_not_match_the_chosen_kind(agent):
    component = budget_component()
    with pytest.raises(ValidationError) as error:
        pabulib.pabulib_import(actor=agent, component=component, text=shared(WARSZAWA), name="Mauvais type",
                               rule="greedy", ballot_kind="cumulative")
    assert "ballot_kind" in error.value.message_dict
    assert not Budget.objects.filter(component=component).exists()


def test_import_refuses_a_file_too_large_with_a_clear_message(agent, staff_client, monkeypatch):
    monkeypatch.setattr(pabulib, "MAX_IMPORT_BYTES", 1000)
    component = budget_component()
    response = staff_client(agent).post(import_url(component), {
        "file": SimpleUploadedFile("gros.pb", shared(WARSZAWA).encode() * 2), "name": "Gros", "rule": "greedy"})
    assert response.status_code == 400
    assert "Le fichier est trop gros" in html.unescape(response.content.decode())
    assert not Budget.objects.filter(component=component).exists()


def test_the_request_refuses_what_is_not_a_pabulib_file_and_a_name_taken(agent, staff_client):
    budget, _projects = small_election()
    client = staff_client(agent)
    response = client.post(import_url(budget.component), {
        "file": SimpleUploadedFile("liste.csv", b"nom;prenom\nMartin;Camille\n"), "name": "Autre", "rule": "greedy"})
    assert response.status_code == 400
    assert "Ce n’est pas un fichier pabulib" in html.unescape(response.content.decode())
    response = client.post(import_url(budget.component), {
        "file": SimpleUploadedFile("w.pb", shared(WARSZAWA).encode()), "name": "toute la ville", "rule": "greedy"})
    assert response.status_code == 400 and "porte déjà ce nom" in html.unescape(response.content.decode())
    assert not Job.objects.exists()


def test_import_refuses_a_name_already_taken(agent):
    budget, _projects = small_election()
    with pytest.raises(ValidationError) as error:
        pabulib.pabulib_import(actor=agent, component=budget.component, text=shared(WARSZAWA), name="Toute la ville",
                               rule="greedy")
    assert "porte déjà ce nom" in error.value.message_dict["name"][0]


def test_outsider_cannot_import_into_another_communes_budget(outsider, staff_client):
    component = budget_component()
    response = staff_client(outsider).post(import_url(component), {
        "file": SimpleUploadedFile("w.pb", shared(WARSZAWA).encode()), "name": "Intrus", "rule": "greedy"})
    assert response.status_code == 403
    assert staff_client(outsider).get(import_url(component)).status_code == 403
    assert not Budget.objects.filter(component=component).exists()


def test_import_page_shows_the_form(agent, staff_client):
    page = html.unescape(staff_client(agent).get(import_url(budget_component())).content.decode())
    assert "Rejouer un vote à partir d'un fichier pabulib" in page and 'type="file"' in page


def test_cumulative_file_replays_with_points_and_exports_them_back(agent, client):
    path = PABULIB / "Poland_Gdansk_2020_Rudniki.pb"
    text = shared(path)
    component = budget_component()
    budget = pabulib.pabulib_import(actor=agent, component=component, text=text, name="Rudniki 2020",
                                    rule=Budget.Rule.GREEDY)
    assert budget.ballot_kind == Budget.BallotKind.CUMULATIVE
    result = results.result_publish(actor=agent, result=results.result_compute(actor=agent, budget=budget))
    external = dict(Project.objects.filter(budget=budget).values_list("pk", "external_id"))
    output = io.StringIO()
    call_command("pb_count", str(path), "--rule", "greedy", stdout=output)
    assert [external[int(pk)] for pk in results.outcome_of(result).selected] == json.loads(output.getvalue())
    page = html.unescape(client.get(results.results_url(budget)).content.decode())
    assert "Points par projet" in page
    exported = counting.read_pabulib(pabulib.pabulib_text(result=result))
    assert exported.kind == "cumulative" and exported.meta["rule"] == "greedy"
    assert sum(sum(b.values()) for b in exported.ballots) == sum(
        sum(b.values()) for b in counting.read_pabulib(text).ballots)


def test_ordinal_file_is_refused_with_a_clear_message(agent):
    component = budget_component()
    with pytest.raises(ValidationError) as error:
        pabulib.pabulib_import(actor=agent, component=component, text=shared(PABULIB / "Switzerland_Zurich_S5R.pb"),
                               name="Zurich", rule=Budget.Rule.GREEDY)
    assert "ordinal" in error.value.message_dict["file"][0]
    assert not Budget.objects.filter(component=component).exists()


def test_elected_official_cannot_import(elected, staff_client):
    component = budget_component()
    response = staff_client(elected).post(import_url(component), {
        "file": SimpleUploadedFile("w.pb", shared(WARSZAWA).encode()), "name": "Élue", "rule": "greedy"})
    assert response.status_code == 403
    assert not Budget.objects.filter(component=component).exists()


def test_greedy_explanations_never_contradict_the_outcome(agent):
    budget = random_election(budget_component(), rule=Budget.Rule.GREEDY, voters=60, seed=3)
    outcome = results.outcome_of(results.result_compute(actor=agent, budget=budget))
    left = results._greedy_money_left(outcome)
    for pk, project in outcome.projects.items():
        if project.selected:
            assert left[pk] >= project.cost, pk
        else:
            assert left[pk] < project.cost, pk
