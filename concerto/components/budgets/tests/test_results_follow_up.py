"""Publishing a budget's results opens the winners' actions (issue 16): one decision for the budget, one link and
one planned action per winner, never a second one (published again, withdrawn and published again, first news)."""

import html

import pytest

from concerto.components.budgets import results, services
from concerto.components.budgets.models import Project
from concerto.components.budgets.tests.test_results_setup import small_election
from concerto.core.accountability.models import Action, Decision, DecisionLink
from concerto.core.participation.models import Notification
from concerto.core.participation.services import follow_add

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


def publish(budget, agent):
    return results.result_publish(actor=agent, result=results.result_compute(actor=agent, budget=budget))


def counts():
    return Decision.objects.count(), DecisionLink.objects.count(), Action.objects.count()


def test_publishing_opens_one_decision_and_one_planned_action_per_winner_with_cost_and_place(agent):
    budget, projects = small_election()
    Project.objects.filter(pk=projects[0].pk).update(latitude=48.7765, longitude=2.2904,
                                                     address="Parc de Sceaux, 92330 Sceaux")
    assert counts() == (0, 0, 0)
    publish(budget, agent)  # greedy: A (600 €) and B (300 €) win
    decision = Decision.objects.get()
    assert decision.title == "Réalisation des projets lauréats — Toute la ville"
    assert decision.space == budget.component.space and decision.organisation.slug == "sceaux"
    orchard, benches = (services.project_action(project) for project in projects[:2])
    assert orchard.decision == benches.decision == decision and orchard != benches
    assert (orchard.stage, orchard.progress, orchard.budget_planned) == ("planned", 0, 600)
    assert (orchard.latitude, orchard.longitude, orchard.address) == (48.7765, 2.2904, "Parc de Sceaux, 92330 Sceaux")
    assert (benches.stage, benches.progress, benches.budget_planned) == ("planned", 0, 300)
    assert (orchard.link.target_id, orchard.link.status) == (projects[0].pk, "adopted")
    assert services.project_action(projects[2]) is None and services.project_action(projects[3]) is None
    assert counts() == (1, 2, 2)


def test_publishing_again_or_after_withdrawing_creates_nothing_more(agent):
    budget, projects = small_election()
    result = publish(budget, agent)
    before = {project.pk: services.project_action(project).pk for project in projects[:2]}
    results.result_publish(actor=agent, result=result)
    results.result_unpublish(actor=agent, result=result)
    results.result_publish(actor=agent, result=result)
    publish(budget, agent)  # a new count of the same ballots, published
    assert counts() == (1, 2, 2)
    assert {project.pk: services.project_action(project).pk for project in projects[:2]} == before


def test_the_first_news_later_moves_the_action_opened_at_publication(agent, resident):
    budget, projects = small_election()
    follow_add(user=resident, target=projects[0])
    publish(budget, agent)
    opened = services.project_action(projects[0])
    project = Project.objects.get(pk=projects[0].pk)
    services.progress_update_create(actor=agent, project=project, stage="works", progress=20, text="Plantation.")
    action = services.project_action(project)
    assert action.pk == opened.pk and (action.stage, action.progress) == ("works", 20)
    assert [update.text for update in action.updates.all()] == ["Plantation."]
    assert counts() == (1, 2, 2)
    # The decision answered the project once, at publication: the news does not tell it again.
    assert Notification.objects.filter(recipient=resident, verb="accountability.answered").count() == 1


def test_the_project_page_shows_the_planned_action_right_after_publication(client, agent):
    budget, projects = small_election()
    page = html.unescape(client.get(projects[0].get_absolute_url()).content.decode())
    assert "Programmée" not in page
    publish(budget, agent)
    response = client.get(projects[0].get_absolute_url())
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    action = services.project_action(projects[0])
    assert f'id="action-{action.pk}"' in page
    assert "Programmée" in page and f"0{NBSP}%" in page
    assert "Réalisation des projets lauréats — Toute la ville" in page
