"""Ideas become projects: proposals of the same space turned into budget projects in one action."""

import pytest
from django.urls import reverse

from concerto import testing
from concerto.components.budgets import services
from concerto.components.budgets.models import Project
from concerto.components.budgets.tests.test_projects_setup import *  # noqa: F403 - the fixtures
from concerto.components.proposals import services as proposals_services
from concerto.core.participation.models import Follow, ItemLink, Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def ideas(space, step, author, resident):
    return make_ideas(space, author, resident)


def make_ideas(space, author, resident):
    """A proposals component of SPACE with two ideas, the first supported by RESIDENT (also for test_ideas_api)."""
    proposals = testing.ComponentFactory(space=space, kind="proposals", title="Idées", published=True)
    tree = proposals_services.proposal_create(author=author, component=proposals, title="Des arbres rue Houdan",
                                              text="<p>Des tilleuls.</p>")
    bench = proposals_services.proposal_create(author=resident, component=proposals, title="Des bancs au parc",
                                               text="<p>Pour s'asseoir.</p>")
    proposals_services.support_add(user=resident, proposal=tree)
    return proposals, tree, bench


def _url(component, name="ideas"):
    space = component.space
    return reverse(f"budgets_backoffice:{name}", args=[space.organisation.slug, space.slug, component.pk])


def test_ideas_become_projects_with_their_link_author_and_supporters(agent, component, budget, ideas, author,
                                                                     resident):
    proposals, tree, bench = ideas
    keys = [idea.key for idea in services.ideas_eligible(component)]
    assert keys == [f"{proposals.pk}:{tree.pk}", f"{proposals.pk}:{bench.pk}"]  # the most supported first
    projects = services.projects_from_ideas(actor=agent, component=component, budget=budget, keys=keys)
    project = Project.objects.get(title="Des arbres rue Houdan")
    assert len(projects) == 2 and project.author == author and project.budget == budget
    followers = set(Follow.objects.filter(target_type__model="project", target_id=project.pk)
                    .values_list("user__email", flat=True))
    assert followers == {author.email, resident.email}
    link = ItemLink.objects.get(target_id=project.pk)
    assert link.source_id == tree.pk and link.source_supports == 1
    assert Notification.objects.filter(recipient=author, verb="budgets.project_from_idea").exists()
    assert services.ideas_eligible(component) == []  # each idea becomes one project at most


def test_an_idea_of_another_space_or_already_converted_is_refused_and_nothing_changes(
        agent, component, budget, ideas, sceaux, author):
    proposals, tree, bench = ideas
    other = testing.SpaceFactory(organisation=sceaux, slug="ailleurs", title="Ailleurs")
    testing.StepFactory(space=other, title="Dépôt")
    elsewhere = testing.ComponentFactory(space=other, kind="proposals", title="Autres", published=True)
    stranger = proposals_services.proposal_create(author=author, component=elsewhere, title="Loin", text="x")
    with pytest.raises(services.ProjectError, match="Rien n’a été modifié"):
        services.projects_from_ideas(actor=agent, component=component, budget=budget,
                                     keys=[f"{proposals.pk}:{tree.pk}", f"{elsewhere.pk}:{stranger.pk}"])
    assert not Project.objects.exists() and not ItemLink.objects.exists()


def test_the_agent_converts_from_the_back_office_and_both_pages_show_the_link(
        staff_client, agent, component, budget, ideas):
    proposals, tree, bench = ideas
    http = staff_client(agent)
    page = http.get(_url(component)).content.decode()
    assert "Des arbres rue Houdan" in page and "Transformer les idées cochées en projets" in page
    response = http.post(_url(component), {"ideas": [f"{proposals.pk}:{tree.pk}"], "budget": budget.pk},
                         follow=True)
    assert "1 idée(s) devenue(s) projets" in response.content.decode()
    project = Project.objects.get()
    assert "Issu de l’idée «\u00a0Des arbres rue Houdan\u00a0»" in http.get(project.get_absolute_url()).content.decode()
    assert "Devenue le projet «\u00a0Des arbres rue Houdan\u00a0»" in http.get(tree.get_absolute_url()).content.decode()


def test_a_bad_key_is_a_400_in_french(staff_client, agent, component, budget, ideas):
    response = staff_client(agent).post(_url(component), {"ideas": ["abc", "999:999"]})
    assert response.status_code == 400 and "Rien n’a été modifié" in response.content.decode()


def test_the_outsider_cannot_convert_sceaux_ideas(staff_client, outsider, component, budget, ideas):
    proposals, tree, bench = ideas
    response = staff_client(outsider).post(_url(component), {"ideas": [f"{proposals.pk}:{tree.pk}"]})
    assert response.status_code in (403, 404) and not Project.objects.exists()
