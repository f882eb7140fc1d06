"""A member of an association submits a budget project « au nom de » it (core/participation/behalf.py): it shows on
the project's page and on the list; a resident who is not a member and sends an actor's id anyway gets a French
error, with what they typed kept and nothing saved. The ballot stays personal: it never offers the choice."""

import pytest

from concerto.components.budgets.models import Project
from concerto.components.budgets.tests.test_projects_pages import page
from concerto.components.budgets.tests.test_projects_setup import *  # noqa: F403 - the fixtures
from concerto.core.participation.models import Contribution

pytestmark = pytest.mark.django_db

REFUSED = "Vous ne pouvez contribuer qu’au nom d’une organisation dont vous êtes membre"

DATA = {"title": "Des fontaines au parc", "text": "Deux fontaines près des jeux.", "estimated_cost": "12000",
        "location_latitude": "", "location_longitude": ""}


def test_a_member_submits_a_project_on_behalf_of_the_association_and_it_shows(client, component, budget,
                                                                               actor_member):
    client.force_login(actor_member.user)
    form = client.get(page(component, "create")).content.decode()
    assert "Vous contribuez" in form and "Au nom de Les Amis du Parc" in form
    response = client.post(page(component, "create"), {**DATA, "on_behalf_of": actor_member.actor.pk})
    assert response.status_code == 302
    project = Project.objects.get(title="Des fontaines au parc")
    assert Contribution.objects.get(kind="budgets.project", target_id=project.pk).on_behalf_of == actor_member.actor
    detail = client.get(project.get_absolute_url()).content.decode()
    assert "Camille Martin — au nom de Les Amis du Parc" in detail
    assert "Au nom de Les Amis du Parc" in client.get(page(component)).content.decode()


def test_a_project_in_ones_own_name_names_no_actor(client, component, budget, actor_member):
    client.force_login(actor_member.user)
    assert client.post(page(component, "create"), {**DATA, "on_behalf_of": ""}).status_code == 302
    project = Project.objects.get(title="Des fontaines au parc")
    assert "au nom de" not in client.get(project.get_absolute_url()).content.decode()


def test_a_non_member_forging_an_actor_id_gets_a_french_error_and_keeps_the_text(client, component, budget, author,
                                                                                  foreign_actor):
    client.force_login(author)
    form = client.get(page(component, "create")).content.decode()
    assert "Vous contribuez" not in form
    response = client.post(page(component, "create"), {**DATA, "on_behalf_of": foreign_actor.pk})
    assert response.status_code == 400
    html = response.content.decode()
    assert REFUSED in html
    assert "Deux fontaines près des jeux." in html
    assert not Project.objects.exists()
