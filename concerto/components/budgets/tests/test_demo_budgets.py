"""The demo of a budgets component: a whole cycle in Montreuil, loaded fast, and twice without harm."""

import time

import pytest

from concerto.components.budgets import demo, results, services
from concerto.components.budgets.models import Ballot, Budget, Project
from concerto.testing import persona

pytestmark = pytest.mark.django_db


def test_demo_loads_a_counted_budget_and_can_be_loaded_twice(montreuil, client):
    agent = persona("agent@montreuil.demo", role="agent", organisation=montreuil)
    started = time.monotonic()
    space = demo.demo_space(actor=agent)
    demo.demo_load(actor=agent, space=space)
    elapsed = time.monotonic() - started

    component = space.components.get(kind="budgets")
    commune_budget = Budget.objects.get(component=component, name=demo.COMMUNE_BUDGET)
    quartier_budget = Budget.objects.get(component=component, name=demo.QUARTIER_BUDGET)
    assert (commune_budget.rule, quartier_budget.rule) == ("mes", "greedy")
    assert Project.objects.filter(component=component).count() == len(demo.PROJECTS)
    assert Project.objects.filter(component=component, eligibility="ineligible").count() == 2
    assert Project.objects.filter(component=component, merged_into__isnull=False).count() == 1
    assert Ballot.objects.filter(budget=commune_budget).count() == demo.VOTERS
    assert Ballot.objects.filter(budget=quartier_budget).count() == demo.QUARTIER_VOTERS
    published = results.published_result(commune_budget)
    assert published is not None and results.published_result(quartier_budget) is None
    assert quartier_budget.results.exists()  # counted, waiting to be checked
    winners = Project.objects.filter(budget=commune_budget, selected=True)
    assert winners.count() >= 3
    # Their follow-up is their own actions, opened at publication (planned), four moved on by news: one late, one
    # done with its photos.
    actions = services.project_actions(winners)
    stages = sorted(action.stage for action in actions.values())
    assert len(actions) == winners.count() and stages[:2] == ["abandoned", "done"]
    assert stages.count("planned") == winners.count() - len(demo.FOLLOW_UP)
    assert len({action.decision_id for action in actions.values()}) == 1
    assert sum(action.is_late() for action in actions.values()) == 1
    assert [action.photos.count() for action in actions.values() if action.stage == "done"] == [2]

    page = client.get(results.results_url(commune_budget))
    assert page.status_code == 200 and "Recompter vous-même" in page.content.decode()

    demo.demo_load(actor=agent, space=demo.demo_space(actor=agent))
    assert space.components.filter(kind="budgets").count() == 1
    assert Ballot.objects.filter(budget__component=component).count() == demo.VOTERS + demo.QUARTIER_VOTERS
    assert len(services.project_actions(winners)) == len(actions)  # no second follow-up
    assert elapsed < 5, f"the demo took {elapsed:.1f} s"


def test_the_open_vote_of_the_demo_states_its_rule_once(sceaux, agent, client):
    import html

    from django.urls import reverse

    space = demo.demo_open_vote_load(actor=agent, organisation=sceaux)
    component = space.components.get(kind="budgets")
    page = html.unescape(client.get(reverse("budgets:vote", args=["sceaux", space.slug, component.pk])).content
                         .decode())
    # « Choisissez jusqu'à deux projets. » then « Choisissez jusqu’à 2 projets. » said it twice, two ways.
    assert page.count("Choisissez jusqu") == 1 and "Choisissez jusqu’à 2" in page
