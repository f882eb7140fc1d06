"""Set-up shared by the ballot, paper and vote page tests (no tests here): a budgets component of Sceaux with
a vote step open today, one budget and its projects on the ballot, and verified residents."""

from datetime import date, timedelta

from django.utils import timezone

from concerto.components.budgets.models import Budget, Project
from concerto.core.accounts.verification import identity_hash, verification_grant
from concerto.testing import ComponentFactory, SpaceFactory, StepFactory, UserFactory, commune, configure

# (title, final cost) of the projects put to the vote, in ballot order.
PROJECTS = (("Un verger partagé au parc", 20_000), ("Des bancs rue Houdan", 15_000),
            ("Une fresque à l'école", 12_600), ("Un abri vélos sécurisé", 30_000))


def set_step_settings(component, step, **values):
    configure(component, step=step, **values)


def set_settings(component, **values):
    configure(component, **values)


def vote_setup(*, kind=Budget.BallotKind.KNAPSACK, amount=50_000, voting_open=True, published=True,
               requires_verification=True, minimum_age=0, slug="budget-2026", **budget_fields):
    """(component, budget, projects): Sceaux's participatory budget, its vote step (open today unless told)."""
    sceaux = commune("sceaux")
    space = SpaceFactory(organisation=sceaux, slug=slug, title="Budget participatif 2026 de Sceaux")
    today = timezone.localdate()
    step = StepFactory(space=space, title="Vote", start_date=today - timedelta(days=3),
                       end_date=today + timedelta(days=10))
    component = ComponentFactory(space=space, kind="budgets", title="Budget participatif")
    set_step_settings(component, step, voting_open=voting_open)
    set_settings(component, vote_requires_verification=requires_verification, minimum_age=minimum_age)
    budget = Budget.objects.create(
        component=component, name="Toute la ville", amount=amount, ballot_kind=kind,
        ballot_published_at=timezone.now() if published else None, **budget_fields)
    projects = [
        Project.objects.create(component=component, budget=budget, title=title, text="<p>Pour le quartier.</p>",
                               final_cost=cost, on_ballot=True, ballot_number=number)
        for number, (title, cost) in enumerate(PROJECTS, start=1)
    ]
    component.vote_step = step
    return component, budget, projects


def verify(user, *, organisation=None, last_name="Martin", first_name="Camille", birth_date=date(1990, 5, 17)):
    """Verify USER as a resident (census list), with the identity hash a paper sheet of theirs would give."""
    organisation = organisation or commune("sceaux")
    return verification_grant(
        agent=None, user=user, organisation=organisation, method="census", birth_date=birth_date,
        identity_hash=identity_hash(organisation=organisation, last_name=last_name, first_name=first_name,
                                    birth_date=birth_date))


def verified_voter(n: int, **identity):
    user = UserFactory(email=f"electeur{n}@example.org", residence=commune("sceaux"))
    verify(user, last_name=f"Nom{n}", first_name=f"Prénom{n}", **identity)
    return user


def close_vote(component):
    """Move the vote step into the past: the vote closed yesterday."""
    step = component.vote_step
    today = timezone.localdate()
    step.start_date, step.end_date = today - timedelta(days=10), today - timedelta(days=1)
    step.save()
