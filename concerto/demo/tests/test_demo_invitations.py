"""The demo keeps its promises: a space that invites to propose, vote or answer has the component open for it;
Sceaux's 2026 budget shows projects that came from ideas; one budget is open for voting now."""

import re

import pytest
from django.core.management import call_command

from concerto.core.participation.models import ItemLink
from concerto.core.spaces.models import Space

pytestmark = pytest.mark.django_db

# What a text invites to do -> the step settings (of any published component) that let people do it.
INVITATIONS = {
    "propose": (re.compile(r"\bpropos(ez|er|e)\b", re.I), "submissions_open"),
    "vote": (re.compile(r"\bvot(ez|er|e)\b", re.I), "voting_open"),
    "answer": (re.compile(r"\b(répondez|donnez votre avis|questionnaire)\b", re.I), "answers_open"),
}


@pytest.fixture
def demo():
    """The whole demo, inside the test's transaction (rolled back after it)."""
    call_command("load_demo", verbosity=0)


def _open_in(space, step, setting) -> bool:
    for component in space.components.filter(published=True):
        settings = component.manifest.step_settings_for(component, step)
        if settings.get(setting):
            return True
    return False


def test_every_space_that_invites_an_action_has_the_component_open_for_it(demo):
    missing = []
    for space in Space.objects.published().prefetch_related("steps", "components"):
        steps = list(space.steps.all())
        for name, (pattern, setting) in INVITATIONS.items():
            if pattern.search(f"{space.summary} {space.description}") and not any(
                    _open_in(space, step, setting) for step in steps):
                missing.append((space.title, name, "space"))
            for step in steps:
                if pattern.search(f"{step.title} {step.description}") and not _open_in(space, step, setting):
                    missing.append((space.title, name, step.title))
    assert missing == []


def test_sceaux_2026_budget_shows_projects_that_came_from_ideas(demo, client):
    space = Space.objects.get(organisation__slug="sceaux", slug="budget-participatif-2026")
    component = space.components.get(kind="budgets")
    projects = list(component.budget_projects.all())
    assert len(projects) >= 3
    link = ItemLink.objects.to_item(projects[0]).get()
    assert "Issu de l’idée" in client.get(projects[0].get_absolute_url()).content.decode()
    assert "Devenue le projet" in client.get(link.source_url).content.decode()


def test_one_budget_is_open_for_voting_and_the_demo_resident_may_vote(demo):
    from concerto.components.budgets.ballots import voter_for
    from concerto.components.budgets.models import Budget
    from concerto.core.accounts.models import User

    open_budgets = [budget for budget in Budget.objects.filter(ballot_published_at__isnull=False)
                    .select_related("component__space")
                    if budget.component.published and budget.component.space.is_published
                    and budget.component.window("voting_open").open]
    assert open_budgets
    resident = User.objects.get(email="habitant@sceaux.demo")
    assert voter_for(user=resident, budget=open_budgets[0]).verification is not None
