"""Similar projects shown to a resident who writes a budget project, before sending it."""

import pytest
from django.urls import reverse

from concerto.components.budgets.models import Project
from concerto.components.budgets.tests.test_projects_setup import *  # noqa: F403 - the fixtures
from concerto.components.budgets.tests.test_projects_setup import review, submit

pytestmark = pytest.mark.django_db


def page(component, name="index", *args):
    space = component.space
    return reverse(f"budgets:{name}", args=[space.organisation.slug, space.slug, component.pk, *args])


def test_typing_a_project_suggests_the_public_ones_that_look_like_it(client, component, budget, author, agent):
    garden = submit(component, author)
    ineligible = submit(component, author, title="Un jardin partagé rue Houdan")
    review(ineligible, agent, eligibility="ineligible", eligibility_reason="Terrain privé")
    html = client.get(page(component, "similar"), {"title": "jardins partagés",
                                                   "text": "avec un composteur"}).content.decode()
    assert garden.title in html and f'href="{garden.get_absolute_url()}"' in html
    assert "Idées semblables déjà proposées" in html and "commenter un projet existant" in html
    assert ineligible.title not in html
    assert client.get(page(component, "similar"), {"title": "x" * 100_000}).status_code == 200


def test_the_form_asks_while_typing_and_the_check_button_keeps_what_was_typed(client, component, budget, author,
                                                                           resident):
    garden = submit(component, author)
    client.force_login(resident)
    form = client.get(page(component, "create")).content.decode()
    assert f'hx-get="{page(component, "similar")}"' in form and 'id="similar-projects"' in form
    assert 'aria-live="polite"' in form and "Chercher des idées semblables" in form
    response = client.post(page(component, "create"), {"title": "Un jardin partagé", "text": "Mon texte gardé",
                                                       "similar_check": "1"})
    html = response.content.decode()
    assert response.status_code == 200 and garden.title in html and "Mon texte gardé" in html
    assert Project.objects.count() == 1
