"""Counting a budget, publishing its results, the public results page, the back-office, the API, open data."""

import html
import re
from datetime import timedelta

import pytest
from django.core import mail

from concerto.components.budgets import counting, pabulib, results
from concerto.components.budgets.models import Ballot, Budget, Project
from concerto.components.budgets.tests.test_results_setup import (
    backoffice_url,
    budget_component,
    results_url,
    small_election,
)
from concerto.core.audit.models import AuditEntry
from concerto.core.participation.models import Notification
from concerto.core.participation.services import follow_add
from concerto.testing import UserFactory

pytestmark = pytest.mark.django_db

NBSP = "\xa0"


def text(response) -> str:
    """The page as a person reads it (entities decoded: "l'école", not "l&#x27;école")."""
    return html.unescape(response.content.decode())


def titles(projects, indexes):
    return [projects[i].title for i in indexes]


# Counting -----------------------------------------------------------------------------------------------

def test_counting_is_refused_while_the_vote_is_open(agent):
    budget, _projects = small_election(vote="current")
    with pytest.raises(results.ResultError) as error:
        results.result_compute(actor=agent, budget=budget)
    assert "Le vote est encore ouvert" in error.value.message
    assert not budget.results.exists()


def test_counting_is_refused_before_the_vote(agent):
    budget, _projects = small_election(vote="future")
    with pytest.raises(results.ResultError) as error:
        results.result_compute(actor=agent, budget=budget)
    assert "Le vote n'a pas encore eu lieu" in error.value.message


def test_counting_is_refused_without_ballots(agent):
    budget, _projects = small_election(voters=[])
    with pytest.raises(results.ResultError) as error:
        results.result_compute(actor=agent, budget=budget)
    assert "aucun bulletin" in error.value.message


def test_greedy_count_takes_the_most_voted_projects_that_fit(agent):
    budget, projects = small_election(rule=Budget.Rule.GREEDY)
    result = results.result_compute(actor=agent, budget=budget)
    outcome = results.outcome_of(result)
    assert outcome.selected == [str(projects[0].pk), str(projects[1].pk)]
    assert result.ballots == 10 and result.published_at is None
    assert AuditEntry.objects.filter(action="budgets.result_computed", target_id=str(budget.pk)).exists()
    # Nothing is public yet.
    assert not Project.objects.filter(budget=budget, selected=True).exists()


def test_equal_shares_count_funds_the_smaller_group_too(agent):
    budget, projects = small_election(rule=Budget.Rule.MES)
    outcome = results.outcome_of(results.result_compute(actor=agent, budget=budget))
    assert outcome.selected == [str(projects[0].pk), str(projects[2].pk)]


# Publishing ---------------------------------------------------------------------------------------------

def test_publishing_marks_the_winners_and_notifies_authors_and_followers(
        agent, resident, django_capture_on_commit_callbacks):
    budget, projects = small_election(rule=Budget.Rule.GREEDY)
    author = UserFactory(email="autrice@example.org")
    Project.objects.filter(pk=projects[2].pk).update(author=author)
    follow_add(user=resident, target=projects[0])
    Project.objects.filter(pk=projects[3].pk).update(selected=True)  # left over from an earlier count
    result = results.result_compute(actor=agent, budget=budget)
    with django_capture_on_commit_callbacks(execute=True):
        results.result_publish(actor=agent, result=result)
        assert mail.outbox == []  # emails leave once the publication is committed

    assert set(Project.objects.filter(budget=budget, selected=True).values_list("title", flat=True)) == set(
        titles(projects, [0, 1]))
    won = Notification.objects.get(recipient=resident, verb="budgets.result_published")
    assert won.title == ("«\u00a0Un verger partagé\u00a0» fait partie des projets lauréats "
                         "de «\u00a0Toute la ville\u00a0»")
    # The winner's follower also hears, once, that the budget's decision answers it (its action is opened).
    answered = Notification.objects.get(recipient=resident, verb="accountability.answered")
    assert answered.title == "Une décision répond à «\u00a0Un verger partagé\u00a0»"
    lost = Notification.objects.get(recipient=author)
    assert lost.title == "«\u00a0Une fresque à l'école\u00a0» n'a pas été retenu dans «\u00a0Toute la ville\u00a0»"
    assert lost.url == results_url(budget)
    assert sorted(m.to[0] for m in mail.outbox) == ["autrice@example.org", "resident@example.org",
                                                    "resident@example.org"]
    assert AuditEntry.objects.filter(action="budgets.result_published", target_id=str(budget.pk)).exists()


def test_unpublishing_hides_the_results_and_the_winners(agent, client):
    budget, projects = small_election()
    result = results.result_publish(actor=agent, result=results.result_compute(actor=agent, budget=budget))
    results.result_unpublish(actor=agent, result=result)
    assert not Project.objects.filter(budget=budget, selected=True).exists()
    page = text(client.get(results_url(budget)))
    assert "Les résultats de ce budget ne sont pas encore publiés." in page
    assert AuditEntry.objects.filter(action="budgets.result_unpublished").exists()


def test_publishing_is_refused_when_ballots_changed_since_the_count(agent):
    budget, _projects = small_election()
    result = results.result_compute(actor=agent, budget=budget)
    Ballot.objects.create(budget=budget, voter_key="test:late")
    with pytest.raises(results.ResultError) as error:
        results.result_publish(actor=agent, result=result)
    assert "comptez à nouveau" in error.value.message
    result.refresh_from_db()
    assert result.published_at is None


# The public page ----------------------------------------------------------------------------------------

def publish(budget, agent):
    return results.result_publish(actor=agent, result=results.result_compute(actor=agent, budget=budget))


def test_results_page_before_publication_says_so_and_shows_no_figures(client, agent):
    budget, projects = small_election()
    results.result_compute(actor=agent, budget=budget)
    response = client.get(results_url(budget))
    page = text(response)
    assert response.status_code == 200
    assert "Les résultats de ce budget ne sont pas encore publiés." in page
    assert projects[0].title not in page
    assert client.get(results_url(budget) + "bulletins.pb").status_code == 404


def test_results_page_of_a_vote_in_progress_says_when_results_come(client):
    budget, _projects = small_election(vote="current")
    page = text(client.get(results_url(budget)))
    assert "Le vote est ouvert jusqu'au" in page


def test_greedy_results_page_shows_winners_figures_and_reasons(client, agent):
    budget, projects = small_election(rule=Budget.Rule.GREEDY)
    publish(budget, agent)
    page = text(client.get(results_url(budget)))
    winners = page.index("Projets lauréats")
    others = page.index("Projets non retenus")
    assert winners < page.index(projects[0].title) < page.index(projects[1].title) < others
    assert f"900{NBSP}€" in page and f"90{NBSP}% du budget" in page  # spent, share of the budget
    assert f"60{NBSP}% du budget" in page  # the orchard's share
    assert f"Non retenu\u00a0: il restait 100{NBSP}€ pour un coût de 300{NBSP}€." in page
    assert (f"Sélectionné\u00a0: il restait 400{NBSP}€ quand son tour est venu, "
            f"assez pour son coût de 300{NBSP}€.") in page
    assert "Non retenu\u00a0: personne n'a voté pour lui." in page
    # The chart's figures, as an accessible table with a caption.
    assert "<caption id=\"projects-caption\">" in page
    assert 'class="result-bars__fill bar-w-100"' in page and 'class="result-bars__fill bar-w-38"' in page


def test_equal_shares_results_page_explains_each_project(client, agent):
    budget, projects = small_election(rule=Budget.Rule.MES)
    publish(budget, agent)
    page = text(client.get(results_url(budget)))
    assert (f"Sélectionné au 1er tour\u00a0: il a pris au plus 75,00{NBSP}€ sur la part égale du budget de "
            f"chacun de ses 8 soutiens.") in page
    assert (f"Sélectionné au 2e tour\u00a0: il a pris au plus 150,00{NBSP}€ sur la part égale du budget de "
            f"chacun de ses 2 soutiens.") in page
    assert (f"Non retenu\u00a0: il ne restait que 225{NBSP}€ sur les parts égales du budget de ses 3 soutiens "
            f"réunies, pour un coût de 300{NBSP}€.") in page
    assert "Méthode des parts égales" in page and "Personne ne paie rien" in page
    # Equal shares are a way of counting: nothing on the page says that residents paid.
    assert not re.search(r"\b(payé|payer|paient|argent)\b", page)
    assert "pb_count" in page and "--rule mes" in page


def test_results_page_shows_turnout_by_commune_and_by_channel(client, agent):
    budget, _projects = small_election()
    publish(budget, agent)
    page = text(client.get(results_url(budget)))
    assert "Bulletins par commune" in page and "Bulletins par canal" in page
    assert '<th scope="row">Sceaux</th><td>8</td><td>80\xa0%</td>' in page
    assert '<th scope="row">Bourg-la-Reine</th><td>1</td><td>10\xa0%</td>' in page
    assert '<th scope="row">Commune inconnue</th><td>1</td>' in page
    assert '<th scope="row">Site web</th><td>7</td><td>70\xa0%</td>' in page
    assert '<th scope="row">Papier</th><td>2</td><td>20\xa0%</td>' in page


def test_results_home_lists_the_budgets_with_their_state(client, agent):
    component = budget_component()
    published, _p = small_election(component=component, name="Toute la ville")
    small_election(component=component, name="Quartier des Blagis")
    publish(published, agent)
    page = text(client.get(f"/sceaux/{component.space.slug}/budget-participatif/{component.pk}/resultats/"))
    assert "Toute la ville" in page and "Quartier des Blagis" in page
    assert "Résultats publiés" in page and "Résultats pas encore publiés" in page
    assert results_url(published) in page


def test_results_of_an_unpublished_component_are_invisible_to_the_public(client, agent):
    budget, _projects = small_election()
    publish(budget, agent)
    budget.component.published = False
    budget.component.save()
    assert client.get(results_url(budget)).status_code == 404
    assert client.get(results_url(budget) + "bulletins.pb").status_code == 404
    assert client.get(f"/api/v1/budgets/budgets/{budget.pk}/results").status_code == 404


# Back-office --------------------------------------------------------------------------------------------

def test_agent_counts_checks_and_publishes_from_the_back_office(staff_client, agent):
    budget, projects = small_election()
    client = staff_client(agent)
    page = text(client.get(backoffice_url(budget)))
    assert "Compter les bulletins" in page
    response = client.post(backoffice_url(budget), {"action": "compute"}, follow=True)
    page = text(response)
    assert "Vérifiez le résultat ci-dessous" in page
    assert projects[0].title in page and "Publier ces résultats" in page
    result = budget.results.get()
    download = client.get(backoffice_url(budget) + "?telecharger=pb")
    assert download["Content-Disposition"].endswith('.pb"') and b"VOTES" in download.content
    client.post(backoffice_url(budget), {"action": "publish", "result": result.pk})
    result.refresh_from_db()
    assert result.published_at is not None
    client.post(backoffice_url(budget), {"action": "unpublish", "result": result.pk})
    result.refresh_from_db()
    assert result.published_at is None


def test_back_office_shows_why_counting_is_refused(staff_client, agent):
    budget, _projects = small_election(vote="current")
    client = staff_client(agent)
    response = client.post(backoffice_url(budget), {"action": "compute"}, follow=True)
    assert "Le vote est encore ouvert" in text(response)
    assert not budget.results.exists()


def test_outsider_can_neither_see_nor_count_nor_publish(staff_client, outsider, agent):
    budget, _projects = small_election()
    result = results.result_compute(actor=agent, budget=budget)
    client = staff_client(outsider)
    assert client.get(backoffice_url(budget)).status_code == 403
    assert client.post(backoffice_url(budget), {"action": "publish", "result": result.pk}).status_code == 403
    # Through its own commune's URL, the budget of Sceaux does not exist.
    space = budget.component.space
    url = f"/gestion/montreuil/{space.slug}/budget-participatif/{budget.component_id}/resultats/{budget.pk}/"
    assert client.get(url).status_code == 404
    result.refresh_from_db()
    assert result.published_at is None and budget.results.count() == 1


def test_unpublished_results_are_invisible_to_the_outsider_and_the_api(staff_client, outsider, agent):
    budget, projects = small_election()
    results.result_compute(actor=agent, budget=budget)
    client = staff_client(outsider)
    assert projects[0].title not in text(client.get(results_url(budget)))
    assert client.get(results_url(budget) + "bulletins.pb").status_code == 404
    assert client.get(f"/api/v1/budgets/budgets/{budget.pk}/results").status_code == 404
    assert client.get(f"/api/v1/budgets/budgets/{budget.pk}/results.pb").status_code == 404


# API and open data --------------------------------------------------------------------------------------

def test_api_gives_the_published_results_with_reasons(client, agent):
    budget, projects = small_election(rule=Budget.Rule.MES)
    publish(budget, agent)
    data = client.get(f"/api/v1/budgets/budgets/{budget.pk}/results").json()
    assert data["winners"] == [projects[0].pk, projects[2].pk]
    assert data["ballots"] == 10 and data["spent"] == 900 and data["rule"] == "mes"
    first = data["projects"][0]
    assert first["id"] == projects[0].pk and first["votes"] == 8 and first["selected"] is True
    assert first["explanation"].startswith("Sélectionné au 1er tour")
    bench = next(p for p in data["projects"] if p["id"] == projects[1].pk)
    assert bench["selected"] is False and bench["reason"] == "supporters_short"
    pabulib = client.get(f"/api/v1/budgets/budgets/{budget.pk}/results.pb")
    assert pabulib.status_code == 200 and pabulib.content.startswith(b"META")


def test_open_data_has_one_row_per_project_of_published_results(agent):
    budget, projects = small_election()
    small_election(component=budget.component, name="Pas encore compté")
    assert results.export_results(budget.component) == []
    publish(budget, agent)
    rows = results.export_results(budget.component)
    assert [row["project_id"] for row in rows] == [projects[0].pk, projects[1].pk, projects[2].pk, projects[3].pk]
    assert rows[0]["selected"] is True and rows[0]["votes"] == 8 and rows[0]["cost"] == 600
    assert set(rows[0]) >= {"budget", "rule", "title", "reason", "explanation"}


def test_statistics_count_ballots_and_voters():
    budget, _projects = small_election()
    figures = results.statistics(budget.component)
    assert figures["ballots"] == 10 and figures["voters"] == 10
    assert 0 < figures["turnout"] < 1  # 10 voters among Sceaux's 20 000 inhabitants


def test_a_project_page_can_say_why_it_won_or_lost(agent):
    budget, projects = small_election()
    assert results.project_result(projects[2]) is None  # not published yet
    publish(budget, agent)
    row = results.project_result(projects[2])
    assert row.selected is False and row.votes == 2
    assert row.explanation == "Non retenu\u00a0: il restait 100\xa0€ pour un coût de 300\xa0€."


def test_a_ballot_changed_after_the_count_blocks_publishing_and_is_flagged(agent, staff_client):
    budget, _projects = small_election()
    result = results.result_compute(actor=agent, budget=budget)
    Ballot.objects.filter(pk=budget.ballots.order_by("pk").first().pk).update(
        updated_at=result.computed_at + timedelta(minutes=5))
    with pytest.raises(results.ResultError):
        results.result_publish(actor=agent, result=result)
    page = text(staff_client(agent).get(backoffice_url(budget)))
    assert "Des bulletins ont changé depuis ce comptage" in page


def test_the_published_file_holds_only_the_ballots_counted(agent):
    budget, _projects = small_election()
    result = publish(budget, agent)
    late = Ballot.objects.create(budget=budget, voter_key="test:late", channel="paper")
    Ballot.objects.filter(pk=late.pk).update(created_at=result.computed_at + timedelta(minutes=5))
    assert counting.read_pabulib(pabulib.pabulib_text(result=result)).meta["num_votes"] == "10"
