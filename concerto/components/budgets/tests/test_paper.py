"""Paper ballots keyed twice: agreement casts the ballot, a person who voted online is refused, a difference goes
to the list to check where an administrator settles it; the same agent cannot key both entries; outsiders see
nothing."""

from datetime import date

import pytest
from django.urls import reverse

from concerto.components.budgets import ballots, paper
from concerto.components.budgets.models import Ballot, PaperEntry
from concerto.components.budgets.tests.test_ballots_setup import verify, vote_setup
from concerto.core.audit.models import AuditEntry
from concerto.core.participation.models import Contribution
from concerto.testing import persona


@pytest.fixture
def knapsack(db):
    return vote_setup()


@pytest.fixture
def second_agent(sceaux):
    return persona("agent2@sceaux.example.org", role="agent", organisation=sceaux, display_name="Second agent")


SHEET = {"polling_station": "Mairie", "sheet_number": "A-12", "last_name": "Durand", "first_name": "Léa",
         "birth_date": date(1985, 3, 2)}


def key(agent, budget, choices, decide=False, **changes):
    return paper.paper_entry_add(agent=agent, budget=budget, choices=choices, decide=decide,
                                   **{**SHEET, **changes})


def test_two_agreeing_entries_cast_one_paper_ballot(knapsack, agent, second_agent, sceaux):
    _component, budget, projects = knapsack
    first = key(agent, budget, [projects[0].pk])
    assert first.status == "waiting" and not Ballot.objects.exists()
    assert "Durand" not in first.voter_key  # only a salted hash is kept
    # Spaces, case and accents of the name do not matter.
    second = key(second_agent, budget, [projects[0].pk], last_name=" DURAND ", first_name="Lea",
                 polling_station="mairie")
    first.refresh_from_db()
    assert second.status == first.status == "matched"
    ballot = Ballot.objects.get()
    assert (ballot.channel, ballot.voter, ballot.commune) == ("paper", None, sceaux)
    assert second.ballot == ballot and first.ballot == ballot
    assert Contribution.objects.get(kind="budgets.ballot").channel == "paper"
    assert AuditEntry.objects.filter(action="budgets.paper_entered").count() == 2
    assert paper.paper_counts(budget=budget) == {"waiting": 0, "matched": 1, "mismatch": 0, "refused": 0}


def test_in_a_territory_budget_the_sheet_names_the_commune_so_it_still_meets_the_online_ballot(
        db, resident, agent, second_agent, sceaux):
    # Verifications are salted per commune: the sheet must say which one, or the two ballots would not collide.
    _component, budget, projects = vote_setup(scope=sceaux.parent)
    verify(resident, last_name="Durand", first_name="Léa", birth_date=date(1985, 3, 2))
    online = ballots.ballot_cast(voter=resident, budget=budget, choices=[projects[1].pk])
    with pytest.raises(paper.PaperError) as caught:
        key(agent, budget, [projects[0].pk])
    assert caught.value.field == "commune"
    assert caught.value.message == "Choisissez la commune où habite l’électeur."
    key(agent, budget, [projects[0].pk], commune=sceaux)
    second = key(second_agent, budget, [projects[0].pk], commune=sceaux)
    assert second.status == "already_voted"
    assert Ballot.objects.get() == online


def test_the_same_agent_cannot_key_both_entries_of_a_sheet(knapsack, agent):
    _component, budget, projects = knapsack
    key(agent, budget, [projects[0].pk])
    with pytest.raises(paper.PaperError) as caught:
        key(agent, budget, [projects[0].pk])
    assert caught.value.message == ("Vous avez déjà saisi ce bulletin\u00a0: "
                                    "un autre agent doit faire la seconde saisie.")


def test_a_person_who_voted_online_is_refused_on_paper(knapsack, resident, agent, second_agent):
    _component, budget, projects = knapsack
    verify(resident, last_name="Durand", first_name="Léa", birth_date=date(1985, 3, 2))
    online = ballots.ballot_cast(voter=resident, budget=budget, choices=[projects[1].pk])
    key(agent, budget, [projects[0].pk])
    second = key(second_agent, budget, [projects[0].pk])
    assert second.status == "already_voted"
    assert Ballot.objects.get() == online
    assert list(online.choices.values_list("project_id", flat=True)) == [projects[1].pk]
    assert paper.paper_counts(budget=budget)["refused"] == 1


def test_a_resident_whose_paper_ballot_is_counted_cannot_vote_online(knapsack, resident, agent, second_agent):
    _component, budget, projects = knapsack
    key(agent, budget, [projects[0].pk])
    key(second_agent, budget, [projects[0].pk])
    verify(resident, last_name="Durand", first_name="Léa", birth_date=date(1985, 3, 2))
    with pytest.raises(ballots.BallotError) as caught:
        ballots.ballot_cast(voter=resident, budget=budget, choices=[projects[1].pk])
    assert caught.value.code == "already_voted"
    assert "Chaque personne vote une seule fois." in caught.value.message


def test_differing_entries_are_flagged_and_an_administrator_settles_them(knapsack, agent, second_agent,
                                                                         admin_sceaux):
    _component, budget, projects = knapsack
    key(agent, budget, [projects[0].pk])
    second = key(second_agent, budget, [projects[1].pk])
    assert second.status == "mismatch" and not Ballot.objects.exists()
    assert paper.paper_counts(budget=budget) == {"waiting": 0, "matched": 0, "mismatch": 1, "refused": 0}
    [sheet] = paper.paper_mismatches(budget=budget)
    assert sheet["sheet_number"] == "A-12" and len(sheet["entries"]) == 2
    with pytest.raises(paper.PaperError):
        key(admin_sceaux, budget, [projects[1].pk])  # a third entry without deciding is refused
    third = key(admin_sceaux, budget, [projects[1].pk], decide=True)
    assert third.status == "matched"
    assert list(Ballot.objects.get().choices.values_list("project_id", flat=True)) == [projects[1].pk]
    assert set(PaperEntry.objects.values_list("status", flat=True)) == {"matched"}
    assert paper.paper_mismatches(budget=budget) == []
    assert AuditEntry.objects.filter(action="budgets.paper_decided").exists()


def test_an_invalid_sheet_is_refused_with_the_reason(knapsack, agent, second_agent):
    _component, budget, projects = knapsack
    everything = [p.pk for p in projects]  # over the budget
    key(agent, budget, everything)
    second = key(second_agent, budget, everything)
    assert second.status == "rejected" and "plus que le budget" in second.note
    assert not Ballot.objects.exists()


# Pages -----------------------------------------------------------------------------------------------------

def paper_urls(component, budget):
    space = component.space
    args = [space.organisation.slug, space.slug, component.pk, budget.pk]
    return (reverse("budgets_backoffice:paper", args=args), reverse("budgets_backoffice:paper_mismatches", args=args))


def form_data(choices, **changes):
    data = {**SHEET, "birth_date": "02/03/1985", **changes}
    data["projets"] = choices
    return data


def test_agents_key_a_sheet_twice_through_the_back_office(knapsack, agent, second_agent, staff_client, client):
    component, budget, projects = knapsack
    paper_url, _mismatches_url = paper_urls(component, budget)
    page = staff_client(agent).get(paper_url).content.decode()
    assert "Bulletins papier\u00a0: Toute la ville" in page and "1. Un verger partagé au parc" in page
    response = client.post(paper_url, form_data([projects[0].pk]), follow=True)
    assert "Le bulletin A-12 est saisi. Un second agent doit le saisir aussi." in response.content.decode()
    again = client.post(paper_url, form_data([projects[0].pk]))
    assert again.status_code == 400 and "un autre agent doit faire la seconde saisie" in again.content.decode()
    client.logout()
    response = staff_client(second_agent).post(paper_url, form_data([projects[0].pk]), follow=True)
    page = response.content.decode()
    assert "Les deux saisies du bulletin A-12 concordent\u00a0: le bulletin est compté." in page
    assert Ballot.objects.get().channel == "paper"


def test_a_bad_date_of_birth_is_a_form_error(knapsack, agent, staff_client):
    component, budget, projects = knapsack
    paper_url, _ = paper_urls(component, budget)
    response = staff_client(agent).post(paper_url, form_data([projects[0].pk], birth_date="31/02/1985"))
    assert response.status_code == 400
    assert "Saisissez une vraie date de naissance" in response.content.decode()
    assert not PaperEntry.objects.exists()


def test_only_an_administrator_settles_a_sheet_to_check(knapsack, agent, second_agent, admin_sceaux, staff_client,
                                                         client):
    component, budget, projects = knapsack
    _paper_url, mismatches_url = paper_urls(component, budget)
    key(agent, budget, [projects[0].pk])
    key(second_agent, budget, [projects[1].pk])
    page = staff_client(agent).get(mismatches_url).content.decode()
    assert "Bulletin A-12" in page and "Seul un administrateur de l’organisation peut trancher" in page
    assert client.post(mismatches_url, form_data([projects[1].pk])).status_code == 403
    client.logout()
    staff_client(admin_sceaux)
    page = client.get(mismatches_url + "?feuille=A-12").content.decode()
    assert "Trancher le bulletin A-12" in page
    response = client.post(mismatches_url, form_data([projects[1].pk]), follow=True)
    assert "Le bulletin A-12 est tranché." in response.content.decode()
    assert Ballot.objects.get().channel == "paper"


def test_an_outsider_cannot_see_or_key_paper_ballots(knapsack, outsider, staff_client, client):
    component, budget, projects = knapsack
    paper_url, mismatches_url = paper_urls(component, budget)
    staff_client(outsider)
    assert client.get(paper_url).status_code == 403
    assert client.post(paper_url, form_data([projects[0].pk])).status_code == 403
    assert client.get(mismatches_url).status_code == 403
    # Through the outsider's own organisation in the URL, Sceaux's component does not exist.
    assert client.get(paper_url.replace("/sceaux/", "/montreuil/")).status_code == 404
    assert not PaperEntry.objects.exists()


def test_residents_and_elected_officials_cannot_key_paper_ballots(knapsack, resident, elected, staff_client, client):
    component, budget, projects = knapsack
    paper_url, _ = paper_urls(component, budget)
    client.force_login(resident)
    response = client.get(paper_url)  # the back-office first asks for a second factor, then for a role
    assert response.status_code == 302 and "/2fa/" in response["Location"]
    client.logout()
    staff_client(elected)
    assert client.get(paper_url).status_code == 200  # the figures, read only
    assert client.post(paper_url, form_data([projects[0].pk])).status_code == 403
    assert not PaperEntry.objects.exists()


def test_the_sheet_of_a_territory_budget_asks_for_the_voters_commune(db, agent, staff_client, sceaux):
    component, budget, projects = vote_setup(scope=sceaux.parent)
    paper_url, _ = paper_urls(component, budget)
    client = staff_client(agent)
    assert "Commune de l’électeur" in client.get(paper_url).content.decode()
    missing = client.post(paper_url, form_data([projects[0].pk]))
    assert missing.status_code == 400 and "Choisissez la commune où habite l’électeur." in missing.content.decode()
    assert not PaperEntry.objects.exists()
    response = client.post(paper_url, form_data([projects[0].pk], commune=sceaux.pk), follow=True)
    assert "Le bulletin A-12 est saisi." in response.content.decode()
    assert PaperEntry.objects.get().commune == sceaux


def test_paper_ballots_wait_until_online_voting_is_for_verified_residents_only(knapsack, agent, staff_client):
    component, budget, projects = knapsack
    component.settings = {**component.settings, "vote_requires_verification": False}
    component.save()
    budget.component = component
    # An unverified online ballot carries no identity hash: a sheet could not tell it is the same person.
    with pytest.raises(paper.PaperError, match="que quand le vote en ligne est réservé"):
        key(agent, budget, [projects[0].pk])
    paper_url, _ = paper_urls(component, budget)
    client = staff_client(agent)
    page = client.get(paper_url).content.decode()
    assert "que quand le vote en ligne est réservé aux habitants vérifiés" in page
    assert "Enregistrer cette saisie" not in page
    response = client.post(paper_url, form_data([projects[0].pk]))
    assert response.status_code == 400 and not PaperEntry.objects.exists()
