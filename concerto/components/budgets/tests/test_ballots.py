"""Casting, changing and withdrawing ballots (ballots.py): every refusal with its message, one ballot per
person, the ledger, personal data."""

from datetime import date

import pytest
from django.utils import timezone

from concerto.components.budgets import ballots
from concerto.components.budgets.ballots import BallotError, ballot_cast
from concerto.components.budgets.models import Ballot, BallotChoice, Budget, Project
from concerto.components.budgets.tests.test_ballots_setup import (
    close_vote,
    verified_voter,
    verify,
    vote_setup,
)
from concerto.core.participation.models import Contribution
from concerto.testing import at_once, needs_postgresql


@pytest.fixture
def knapsack(db):
    return vote_setup()


@pytest.fixture
def voter(resident):
    verify(resident)
    return resident


def refusal(**kwargs) -> BallotError:
    with pytest.raises(BallotError) as caught:
        ballot_cast(**kwargs)
    return caught.value


def test_a_verified_resident_casts_a_knapsack_ballot_recorded_once_in_the_ledger(knapsack, voter, sceaux):
    component, budget, projects = knapsack
    ballot = ballot_cast(voter=voter, budget=budget, choices=[projects[0].pk, projects[1].pk])
    assert ballot.created
    assert ballot.voter == voter and ballot.channel == "web" and ballot.commune_id == sceaux.pk
    assert ballot.voter_key == voter.verifications.get().identity_hash
    assert sorted(ballot.choices.values_list("project_id", flat=True)) == [projects[0].pk, projects[1].pk]
    contribution = Contribution.objects.get(kind="budgets.ballot")
    assert (contribution.target_id, contribution.channel, contribution.author, contribution.residence) == (
        ballot.pk, "web", voter, sceaux)


def test_a_new_ballot_replaces_the_previous_one_of_the_same_voter(knapsack, voter):
    _component, budget, projects = knapsack
    first = ballot_cast(voter=voter, budget=budget, choices=[projects[0].pk, projects[1].pk])
    second = ballot_cast(voter=voter, budget=budget, choices={projects[3].pk: 1})
    assert second.pk == first.pk and not second.created
    assert Ballot.objects.count() == 1
    assert list(BallotChoice.objects.values_list("project_id", flat=True)) == [projects[3].pk]
    assert Contribution.objects.filter(kind="budgets.ballot").count() == 1


def test_the_vote_is_refused_when_the_vote_step_is_closed_and_the_ballot_kept(knapsack, voter):
    component, budget, projects = knapsack
    ballot_cast(voter=voter, budget=budget, choices=[projects[0].pk])
    close_vote(component)
    error = refusal(voter=voter, budget=budget, choices=[projects[1].pk])
    assert error.code == "closed" and error.status == 403
    assert error.message.startswith("Le vote est fermé. Terminé le ")
    assert list(BallotChoice.objects.values_list("project_id", flat=True)) == [projects[0].pk]


def test_the_vote_is_refused_before_the_list_of_projects_is_published(db, resident):
    _component, budget, projects = vote_setup(published=False)
    verify(resident)
    error = refusal(voter=resident, budget=budget, choices=[projects[0].pk])
    assert error.message == "La liste des projets soumis au vote n’est pas encore publiée."


def test_an_unverified_resident_is_asked_to_verify_their_residence(knapsack, resident):
    _component, budget, projects = knapsack
    error = refusal(voter=resident, budget=budget, choices=[projects[0].pk])
    assert error.code == "unverified" and error.status == 403
    assert "Seuls les habitants vérifiés de Sceaux peuvent voter" in error.message
    assert not Ballot.objects.exists()


def test_without_required_verification_a_signed_in_resident_votes_under_their_account(db, resident):
    _component, budget, projects = vote_setup(requires_verification=False)
    ballot = ballot_cast(voter=resident, budget=budget, choices=[projects[0].pk])
    assert ballot.voter_key == f"user:{resident.pk}"


def test_an_anonymous_visitor_is_asked_to_sign_in(knapsack):
    from django.contrib.auth.models import AnonymousUser

    _component, budget, projects = knapsack
    assert refusal(voter=AnonymousUser(), budget=budget, choices=[projects[0].pk]).message == (
        "Connectez-vous pour voter.")


def test_a_voter_under_the_minimum_age_is_refused(db, resident):
    component, budget, projects = vote_setup(minimum_age=16)
    today = timezone.localdate()
    verify(resident, birth_date=date(today.year - 15, 1, 1))
    error = refusal(voter=resident, budget=budget, choices=[projects[0].pk])
    assert error.code == "too_young"
    assert error.message == "Vous devez avoir au moins 16 ans pour voter à ce budget participatif."
    verify(resident, birth_date=date(today.year - 17, 1, 1))
    assert ballot_cast(voter=resident, budget=budget, choices=[projects[0].pk]).created


def test_a_knapsack_ballot_over_the_budget_is_refused_with_the_amounts(knapsack, voter):
    _component, budget, projects = knapsack
    error = refusal(voter=voter, budget=budget, choices=[p.pk for p in projects[:3]] + [projects[3].pk])
    assert error.code == "over_budget"
    assert error.message == ("Vos projets coûtent 77\u202f600\u00a0€ au total, plus que le budget de "
                             "50\u202f000\u00a0€. Retirez un projet pour rester dans le budget.")
    assert not Ballot.objects.exists()


def test_a_knapsack_ballot_under_the_minimum_share_is_refused(db, resident):
    _component, budget, projects = vote_setup(min_share=50)
    verify(resident)
    error = refusal(voter=resident, budget=budget, choices=[projects[2].pk])
    assert error.code == "under_min_share"
    assert "choisissez des projets d’une valeur d’au moins 25\u202f000\u00a0€ (50\u00a0% du budget)" in error.message


def test_an_approval_ballot_over_k_projects_is_refused(db, resident):
    _component, budget, projects = vote_setup(kind=Budget.BallotKind.APPROVAL, max_choices=2)
    verify(resident)
    error = refusal(voter=resident, budget=budget, choices=[p.pk for p in projects[:3]])
    assert error.message == "Vous avez choisi 3 projets, plus que la limite de 2. Retirez-en pour voter."
    assert ballot_cast(voter=resident, budget=budget, choices=[p.pk for p in projects[:2]]).created


def test_a_cumulative_ballot_over_the_points_or_the_cap_is_refused(db, resident):
    _component, budget, projects = vote_setup(kind=Budget.BallotKind.CUMULATIVE, points=10,
                                              max_points_per_project=5)
    verify(resident)
    over = refusal(voter=resident, budget=budget, choices={projects[0].pk: 5, projects[1].pk: 5, projects[2].pk: 1})
    assert over.message == "Vous avez donné 11 points au total, plus que les 10 points dont vous disposez."
    capped = refusal(voter=resident, budget=budget, choices={projects[0].pk: 6})
    assert capped.message == "Un projet peut recevoir 5 points au plus."
    ballot = ballot_cast(voter=resident, budget=budget, choices={projects[0].pk: 5, projects[1].pk: 3})
    assert dict(ballot.choices.values_list("project_id", "points")) == {projects[0].pk: 5, projects[1].pk: 3}


def test_an_empty_ballot_is_refused(knapsack, voter):
    _component, budget, _projects = knapsack
    assert refusal(voter=voter, budget=budget, choices=[]).message == (
        "Votre bulletin est vide\u00a0: choisissez au moins un projet.")


def test_unknown_projects_and_projects_not_on_this_ballot_are_refused(knapsack, voter):
    component, budget, projects = knapsack
    assert refusal(voter=voter, budget=budget, choices=[999_999]).message == "Le projet n° 999999 n’existe pas."
    off = Project.objects.create(component=component, budget=budget, title="Une idée écartée", text="x",
                                 final_cost=100)
    assert refusal(voter=voter, budget=budget, choices=[off.pk]).message == (
        "Le projet «\u00a0Une idée écartée\u00a0» n’est pas soumis au vote.")
    other = Budget.objects.create(component=component, name="Quartier des Blagis", amount=10_000)
    elsewhere = Project.objects.create(component=component, budget=other, title="Un banc aux Blagis", text="x",
                                       final_cost=100, on_ballot=True)
    assert refusal(voter=voter, budget=budget, choices=[elsewhere.pk]).message == (
        "Le projet «\u00a0Un banc aux Blagis\u00a0» ne fait pas partie de ce budget.")


def test_malformed_choices_are_refused_with_a_message(knapsack, voter):
    _component, budget, projects = knapsack
    assert refusal(voter=voter, budget=budget, choices=["abc"]).code == "invalid"
    assert refusal(voter=voter, budget=budget, choices={projects[0].pk: 3}).message == (
        "Sur ce bulletin, un projet est choisi ou non\u00a0: il ne reçoit pas de points.")
    assert refusal(voter=voter, budget=budget, choices="1,2").code == "invalid"


def test_a_refused_change_keeps_the_ballot_already_cast(knapsack, voter):
    _component, budget, projects = knapsack
    ballot_cast(voter=voter, budget=budget, choices=[projects[0].pk])
    refusal(voter=voter, budget=budget, choices=[p.pk for p in projects])
    assert list(BallotChoice.objects.values_list("project_id", flat=True)) == [projects[0].pk]


def test_a_voter_verified_after_a_first_ballot_keeps_one_ballot(db, resident):
    _component, budget, projects = vote_setup(requires_verification=False)
    first = ballot_cast(voter=resident, budget=budget, choices=[projects[0].pk])
    verify(resident)
    second = ballot_cast(voter=resident, budget=budget, choices=[projects[1].pk])
    assert second.pk == first.pk and Ballot.objects.count() == 1
    assert second.voter_key == resident.verifications.get().identity_hash


def test_withdrawing_a_ballot_removes_it_and_its_ledger_row(knapsack, voter):
    _component, budget, projects = knapsack
    ballot_cast(voter=voter, budget=budget, choices=[projects[0].pk])
    assert ballots.ballot_withdraw(voter=voter, budget=budget) is True
    assert not Ballot.objects.exists() and not Contribution.objects.filter(kind="budgets.ballot").exists()
    assert ballots.ballot_withdraw(voter=voter, budget=budget) is False


def test_personal_data_lists_the_ballots_and_erasure_keeps_them_anonymous(knapsack, voter):
    from concerto.core.accounts.services import account_delete

    _component, budget, projects = knapsack
    ballot_cast(voter=voter, budget=budget, choices=[projects[0].pk])
    data = ballots.personal_data(voter)["budget_ballots"]
    assert [(b["budget"], [c["project"] for c in b["choices"]]) for b in data] == [
        ("Toute la ville", ["Un verger partagé au parc"])]
    key = Ballot.objects.get().voter_key
    account_delete(user=voter)
    ballot = Ballot.objects.get()
    assert ballot.voter is None and ballot.voter_key == key  # the salted identity hash still prevents a 2nd vote
    assert list(ballot.choices.values_list("project_id", flat=True)) == [projects[0].pk]


def test_erasure_unlinks_a_ballot_cast_under_the_account_id(db, resident):
    _component, budget, projects = vote_setup(requires_verification=False)
    ballot_cast(voter=resident, budget=budget, choices=[projects[0].pk])
    ballots.erase_personal_data(resident)
    ballot = Ballot.objects.get()
    assert ballot.voter is None and ballot.voter_key == f"erased:{ballot.pk}"
    assert Contribution.objects.get(kind="budgets.ballot").author is None


def test_many_voters_each_cast_their_own_ballot(knapsack):
    _component, budget, projects = knapsack
    for n in range(3):
        ballot_cast(voter=verified_voter(n), budget=budget, choices=[projects[n].pk])
    assert Ballot.objects.count() == 3


# Concurrency: a real race needs a database server (PostgreSQL) ----------------------------------------------

def _race(workers, target):
    """What each of the simultaneous TARGET(worker) gave: its result, a ballot refusal's code, or the repr of
    anything else it raised (which the assertions then show)."""
    return [outcome.code if isinstance(outcome, BallotError) else repr(outcome) if isinstance(outcome, Exception)
            else outcome for outcome in at_once(target, workers)]


@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_ballots_of_one_voter_leave_one_coherent_ballot():
    needs_postgresql()
    _component, budget, projects = vote_setup()
    voter = verified_voter(1)
    # Each request chooses a different set that fits the budget; the survivor must be exactly one of them.
    options = [[projects[0].pk, projects[1].pk], [projects[2].pk, projects[3].pk], [projects[1].pk],
               [projects[0].pk, projects[2].pk, projects[1].pk]]
    sets = [options[n % len(options)] for n in range(50)]
    outcomes = _race(sets, lambda choice: ballot_cast(voter=voter, budget=Budget.objects.get(pk=budget.pk),
                                                      choices=choice).pk)
    assert len(outcomes) == 50 and all(isinstance(o, int) for o in outcomes), outcomes
    ballot = Ballot.objects.get()
    chosen = sorted(ballot.choices.values_list("project_id", flat=True))
    assert chosen in [sorted(o) for o in options]
    assert Contribution.objects.filter(kind="budgets.ballot").count() == 1


@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_voters_make_fifty_ballots_never_over_budget():
    needs_postgresql()
    _component, budget, projects = vote_setup()
    voters = [verified_voter(n) for n in range(50)]
    too_much = [p.pk for p in projects]  # 77,600 € for a 50,000 € budget

    def cast(n):
        fresh = Budget.objects.get(pk=budget.pk)
        if n % 5 == 0:
            ballot_cast(voter=voters[n], budget=fresh, choices=too_much)
        return ballot_cast(voter=voters[n], budget=fresh, choices=[projects[n % 4].pk]).pk

    outcomes = _race(range(50), cast)
    assert outcomes.count("over_budget") == 10
    assert Ballot.objects.count() == 40 and len({o for o in outcomes if isinstance(o, int)}) == 40
    outcomes = _race(range(1, 50, 5), lambda n: ballot_cast(voter=voters[n - 1], budget=budget,
                                                            choices=[projects[0].pk, projects[3].pk]).pk)
    assert Ballot.objects.count() == 50
    for ballot in Ballot.objects.prefetch_related("choices__project"):
        assert sum(choice.project.final_cost for choice in ballot.choices.all()) <= budget.amount
