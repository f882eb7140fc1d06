"""The vote pages as a resident sees them: the budgets to vote in, the ballot with its running total (without
JavaScript), the confirmation, changing one's vote, and the messages when voting is not possible."""

import pytest
from django.urls import reverse
from django.utils import timezone

from concerto.components.budgets.models import Ballot, Budget, Result
from concerto.components.budgets.tests.test_ballots_setup import close_vote, verify, vote_setup


@pytest.fixture
def knapsack(db):
    return vote_setup()


def urls(component, budget):
    space = component.space
    args = [space.organisation.slug, space.slug, component.pk]
    return (reverse("budgets:vote", args=args), reverse("budgets:ballot", args=[*args, budget.pk]))


def text(response) -> str:
    return response.content.decode()


def test_the_vote_home_lists_the_budgets_and_where_the_resident_voted(knapsack, resident, client):
    component, budget, projects = knapsack
    verify(resident)
    client.force_login(resident)
    home, ballot_url = urls(component, budget)
    page = text(client.get(home))
    assert "Toute la ville" in page and "Vous n’avez pas encore voté dans ce budget." in page
    assert "dans la limite du budget de 50\u202f000\u00a0€" in page
    client.post(ballot_url, {"projets": [projects[0].pk]})
    assert "Vous avez voté dans ce budget." in text(client.get(home))


def test_a_verified_resident_votes_sees_the_confirmation_and_changes_their_vote(knapsack, resident, client):
    component, budget, projects = knapsack
    verify(resident)
    client.force_login(resident)
    _home, ballot_url = urls(component, budget)
    page = text(client.get(ballot_url))
    assert "Il vous reste 50\u202f000\u00a0€ sur 50\u202f000\u00a0€." in page
    assert 'aria-live="polite"' in page and "Un verger partagé au parc" in page
    response = client.post(ballot_url, {"projets": [projects[0].pk, projects[1].pk]}, follow=True)
    page = text(response)
    assert "Votre vote est enregistré" in page and "Merci" in page
    assert "Total de vos projets\u00a0: 35\u202f000\u00a0€ sur un budget de 50\u202f000\u00a0€." in page
    assert "Modifier mon vote" in page
    edit = text(client.get(ballot_url + "?modifier=1"))
    assert f'value="{projects[0].pk}" id="projet-{projects[0].pk}" data-cost="20000" checked' in edit
    response = client.post(ballot_url, {"projets": [projects[3].pk]}, follow=True)
    assert "Votre nouveau bulletin est enregistré\u00a0: il remplace le précédent." in text(response)
    ballot = Ballot.objects.get()
    assert list(ballot.choices.values_list("project_id", flat=True)) == [projects[3].pk]


def test_without_javascript_the_total_is_updated_by_the_server_without_casting(knapsack, resident, client):
    component, budget, projects = knapsack
    verify(resident)
    client.force_login(resident)
    _home, ballot_url = urls(component, budget)
    page = text(client.post(ballot_url, {"projets": [p.pk for p in projects], "action": "recalculer"}))
    assert "Vous dépassez de 27\u202f600\u00a0€ le budget de 50\u202f000\u00a0€\u00a0: retirez un projet." in page
    assert "Vos projets coûtent 77\u202f600\u00a0€ au total" in page
    assert not Ballot.objects.exists()


def test_a_ballot_over_the_budget_is_refused_on_the_page_and_the_choices_kept(knapsack, resident, client):
    component, budget, projects = knapsack
    verify(resident)
    client.force_login(resident)
    _home, ballot_url = urls(component, budget)
    response = client.post(ballot_url, {"projets": [p.pk for p in projects]})
    assert response.status_code == 400
    page = text(response)
    assert "Il y a un problème" in page and "plus que le budget de 50\u202f000\u00a0€" in page
    assert f'id="projet-{projects[3].pk}" data-cost="30000" checked' in page
    assert not Ballot.objects.exists()


def test_a_cumulative_ballot_takes_points(db, resident, client):
    component, budget, projects = vote_setup(kind=Budget.BallotKind.CUMULATIVE, points=10)
    verify(resident)
    client.force_login(resident)
    _home, ballot_url = urls(component, budget)
    assert "Points restants\u00a0: 10 sur 10." in text(client.get(ballot_url))
    bad = client.post(ballot_url, {f"points-{projects[0].pk}": "abc"})
    assert bad.status_code == 400 and "Saisissez un nombre entier de points." in text(bad)
    client.post(ballot_url, {f"points-{projects[0].pk}": "6", f"points-{projects[1].pk}": "4"})
    assert dict(Ballot.objects.get().choices.values_list("project_id", "points")) == {
        projects[0].pk: 6, projects[1].pk: 4}


def test_a_visitor_is_asked_to_sign_in_and_comes_back_to_the_ballot(knapsack, client):
    component, budget, _projects = knapsack
    _home, ballot_url = urls(component, budget)
    page = text(client.get(ballot_url))
    assert "Connectez-vous pour voter." in page
    assert f"/compte/login/?next={ballot_url.replace('/', '%2F')}" in page


def test_an_unverified_resident_is_sent_to_the_verification_page(knapsack, resident, client):
    component, budget, projects = knapsack
    client.force_login(resident)
    _home, ballot_url = urls(component, budget)
    page = text(client.get(ballot_url))
    assert "Seuls les habitants vérifiés de Sceaux peuvent voter." in page
    assert "/compte/residence/sceaux/?next=" in page and "Vérifier ma résidence" in page
    response = client.post(ballot_url, {"projets": [projects[0].pk]})
    assert response.status_code == 403 and not Ballot.objects.exists()


def test_after_the_vote_closes_the_voter_sees_their_ballot_counted_with_a_link_to_the_results(knapsack, resident,
                                                                                             client):
    component, budget, projects = knapsack
    verify(resident)
    client.force_login(resident)
    _home, ballot_url = urls(component, budget)
    client.post(ballot_url, {"projets": [projects[0].pk]})
    close_vote(component)
    page = text(client.get(ballot_url))
    assert "Le vote est terminé. Votre bulletin est enregistré" in page and "Modifier mon vote" not in page
    assert "Un verger partagé au parc" in page
    Result.objects.create(budget=budget, rule="greedy", ballots=1, published_at=timezone.now())
    page = text(client.get(ballot_url))
    assert "Votre bulletin a été compté" in page
    assert reverse("budgets:budget_results", args=[component.space.organisation.slug, component.space.slug,
                                                   component.pk, budget.pk]) in page
    response = client.post(ballot_url, {"projets": [projects[1].pk]})
    assert response.status_code == 403
    assert list(Ballot.objects.get().choices.values_list("project_id", flat=True)) == [projects[0].pk]


def test_an_unknown_budget_or_a_budget_of_another_commune_is_a_404(knapsack, client, resident):
    component, budget, _projects = knapsack
    _home, ballot_url = urls(component, budget)
    client.force_login(resident)
    assert client.get(ballot_url.replace(f"/{budget.pk}/", "/999999/")).status_code == 404
    assert client.get(ballot_url.replace("/sceaux/", "/montreuil/")).status_code == 404


def test_an_approval_ballot_counts_the_projects_chosen(db, resident, client):
    component, budget, projects = vote_setup(kind=Budget.BallotKind.APPROVAL, max_choices=2)
    verify(resident)
    client.force_login(resident)
    _home, ballot_url = urls(component, budget)
    page = text(client.get(ballot_url))
    assert "Choisissez jusqu’à 2 projets." in page and "Projets choisis\u00a0: 0 sur 2 au plus." in page
    over = text(client.post(ballot_url, {"projets": [p.pk for p in projects[:3]], "action": "recalculer"}))
    assert "Projets choisis\u00a0: 3, plus que les 2 permis." in over
    assert "Vous avez choisi 3 projets, plus que la limite de 2. Retirez-en pour voter." in over
    client.post(ballot_url, {"projets": [projects[0].pk, projects[2].pk]})
    assert Ballot.objects.get().choices.count() == 2


def test_a_single_choice_ballot_says_only_one_project_can_be_chosen(db, resident, client):
    component, budget, projects = vote_setup(kind=Budget.BallotKind.APPROVAL, max_choices=1)
    verify(resident)
    client.force_login(resident)
    _home, ballot_url = urls(component, budget)
    page = text(client.post(ballot_url, {"projets": [projects[0].pk, projects[1].pk], "action": "recalculer"}))
    assert "Choisissez le projet que vous préférez." in page
    assert "Un seul projet peut être choisi\u00a0: décochez les autres." in page
