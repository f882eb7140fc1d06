"""Set-up shared by the results, pabulib and demo tests (no tests here): a budgets component of Sceaux whose
vote step ended yesterday, one budget with a small election anyone can count by hand.

The election (budget 1 000 €, 10 voters, so 100 € each with equal shares):
- A "Un verger partagé" costs 600 €, chosen by voters 1 to 8;
- B "Des bancs rue Houdan" costs 300 €, chosen by voters 1 to 3;
- C "Une fresque à l'école" costs 300 €, chosen by voters 9 and 10;
- D "Un abri vélos" costs 150 €, chosen by nobody.
Greedy: A (8 votes, 400 € left), B (3 votes, 100 € left), C does not fit (300 € for 100 € left), D neither.
Equal shares: A first (8 x 75 €), then nobody else can pay at 100 € each; raised to 150 € each, C is paid by
its 2 supporters (150 € each) and nothing else fits in the 100 € left: A and C; B's 3 supporters have 3 x 75 €.
"""

from datetime import timedelta

from django.utils import timezone

from concerto.components.budgets.models import Ballot, BallotChoice, Budget, Project
from concerto.testing import ComponentFactory, SpaceFactory, StepFactory, commune, configure

PROJECTS = (("Un verger partagé", 600), ("Des bancs rue Houdan", 300), ("Une fresque à l'école", 300),
            ("Un abri vélos", 150))
# (projects chosen by index, channel, commune slug) for the 10 voters.
VOTERS = [((0, 1), "web", "sceaux")] * 3 + [((0,), "web", "sceaux")] * 3 + [((0,), "paper", "sceaux")] * 2 \
    + [((2,), "web", "bourg-la-reine"), ((2,), "in_person", None)]


def set_step_settings(component, step, **values):
    configure(component, step=step, **values)


def budget_component(*, vote="past", slug="bp-2026"):
    """A published budgets component of Sceaux; its vote step is in the past, current or to come (VOTE)."""
    space = SpaceFactory(organisation=commune("sceaux"), slug=slug, title="Budget participatif 2026 de Sceaux")
    today = timezone.localdate()
    days = {"past": (-10, -1), "current": (-3, 10), "future": (5, 20)}[vote]
    StepFactory(space=space, title="Dépôt", start_date=today - timedelta(days=40), end_date=today - timedelta(days=11))
    step = StepFactory(space=space, title="Vote", start_date=today + timedelta(days=days[0]),
                       end_date=today + timedelta(days=days[1]))
    component = ComponentFactory(space=space, kind="budgets", title="Budget participatif")
    set_step_settings(component, step, voting_open=True)
    return component


def small_election(*, rule=Budget.Rule.GREEDY, vote="past", voters=VOTERS, component=None, name="Toute la ville"):
    """(budget, projects) of the election described above, its ballots cast."""
    component = component or budget_component(vote=vote)
    budget = Budget.objects.create(component=component, name=name, amount=1000, rule=rule,
                                   ballot_kind=Budget.BallotKind.APPROVAL, ballot_published_at=timezone.now())
    projects = [Project.objects.create(component=component, budget=budget, title=title, text="<p>Pour tous.</p>",
                                       final_cost=cost, on_ballot=True, ballot_number=number)
                for number, (title, cost) in enumerate(PROJECTS, start=1)]
    communes = {}
    for number, (chosen, channel, slug) in enumerate(voters, start=1):
        if slug and slug not in communes:
            communes[slug] = commune(slug)
        ballot = Ballot.objects.create(budget=budget, voter_key=f"test:{number}", channel=channel,
                                       commune=communes.get(slug))
        BallotChoice.objects.bulk_create([BallotChoice(ballot=ballot, project=projects[i]) for i in chosen])
    return budget, projects


def results_url(budget):
    space = budget.component.space
    return f"/{space.organisation.slug}/{space.slug}/budget-participatif/{budget.component_id}/resultats/{budget.pk}/"


def backoffice_url(budget, tail=""):
    space = budget.component.space
    return (f"/gestion/{space.organisation.slug}/{space.slug}/budget-participatif/{budget.component_id}/"
            f"resultats/{budget.pk}/{tail}")


def import_url(component):
    space = component.space
    return f"/gestion/{space.organisation.slug}/{space.slug}/budget-participatif/{component.pk}/import-pabulib/"
