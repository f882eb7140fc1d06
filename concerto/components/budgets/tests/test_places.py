"""Where a budget project is, in words: the agent's review page has the address and a small map."""

import pytest

from concerto.components.budgets.models import Project
from concerto.components.budgets.tests.test_backoffice_projects import url
from concerto.components.budgets.tests.test_projects_setup import *  # noqa: F403 - the fixtures
from concerto.testing import commune

pytestmark = pytest.mark.django_db


def test_the_agents_project_page_shows_the_address_and_a_small_map(staff_client, agent, project):
    Project.objects.filter(pk=project.pk).update(latitude=48.77803, longitude=2.29019, commune=commune("sceaux"),
                                                 address="12 Rue Houdan 92330 Sceaux")

    html = staff_client(agent).get(url("review", project.component, project.pk),
                                   HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "Lieu du projet" in html and '<p class="place">12 Rue Houdan 92330 Sceaux</p>' in html
    assert 'aria-label="Carte du lieu"' in html and "latitude 48" not in html.lower()


def test_a_project_placed_without_address_nor_commune_says_the_place_is_on_the_map(staff_client, agent, project):
    Project.objects.filter(pk=project.pk).update(latitude=48.7745, longitude=2.299, commune=None, address="")

    response = staff_client(agent).get(url("review", project.component, project.pk), HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 200
    assert '<p class="place">Aucune adresse trouvée\u00a0: le lieu est sur la carte</p>' in response.content.decode()
