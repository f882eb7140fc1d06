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


def test_agents_see_likely_duplicates_and_merge_them_in_one_click(client, component, budget, author, agent,
                                                                 elected):
    """The review queue's likely duplicates: two projects saying the same thing are paired, an unrelated one is
    not; a reviewer merges the newer into the older and comes back to the list; an official reads it only."""
    from concerto import testing

    older = submit(component, author)
    newer = submit(component, author, title="Jardin partagé aux Blagis avec composteur",
                   text="<p>Des bacs de jardin partagé et un composteur aux Blagis.</p>")
    other = submit(component, author, title="Éclairer le parc de la Ménagerie la nuit",
                   text="<p>Des lampadaires le long des allées du parc.</p>")
    space = component.space
    url = reverse("budgets_backoffice:duplicates", args=[space.organisation.slug, space.slug, component.pk])
    official = client.__class__()
    testing.login_with_mfa(official, elected)
    html = official.get(url).content.decode()
    assert "Doublons probables" in html and older.title in html and newer.title in html
    assert other.title not in html and "Fusionner le plus récent dans le plus ancien" not in html
    testing.login_with_mfa(client, agent)
    listing = client.get(reverse("budgets_backoffice:index", args=[space.organisation.slug, space.slug,
                                                                   component.pk])).content.decode()
    assert url in listing
    html = client.get(url).content.decode()
    assert "Fusionner le plus récent dans le plus ancien" in html
    merge = reverse("budgets_backoffice:merge", args=[space.organisation.slug, space.slug, component.pk, newer.pk])
    response = client.post(merge, {"into": older.pk, "back": "duplicates"})
    assert response.status_code == 302 and response["Location"] == url
    newer.refresh_from_db()
    assert newer.merged_into_id == older.pk
    assert "Aucun doublon probable" in client.get(url).content.decode()
