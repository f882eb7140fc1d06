"""Submitting a project reserved to verified residents: the service refuses the others with a message saying
where to verify, and the pages show that message instead of the form and the "Submit a project" button."""

import pytest
from django.urls import reverse

from concerto.components.budgets.models import Project
from concerto.components.budgets.tests.test_projects_setup import *  # noqa: F403 - the fixtures
from concerto.components.budgets.tests.test_projects_setup import (
    submit,
)
from concerto.core.accounts.verification import VerificationRequired
from concerto.core.participation.models import Contribution
from concerto.testing import commune, verified_actions_reserved, verified_resident

pytestmark = pytest.mark.django_db

FORM = {"title": "Des fontaines", "text": "Deux fontaines au parc.", "estimated_cost": "12000",
        "location_latitude": "", "location_longitude": ""}


def _reserve(component, *actions):
    component.verified_actions = list(actions)
    component.save()


def page(component, name="index"):
    space = component.space
    return reverse(f"budgets:{name}", args=[space.organisation.slug, space.slug, component.pk])


def test_submitting_stays_open_to_every_resident_by_default(client, component, budget, resident):
    assert submit(component, resident).pk
    client.force_login(resident)
    assert "Déposer mon projet" in client.get(page(component, "create")).content.decode()
    assert "Vérifier ma résidence" not in client.get(page(component)).content.decode()


def test_an_unverified_resident_cannot_submit_and_is_told_where_to_verify(component, budget, resident):
    _reserve(component, "submit")
    with pytest.raises(VerificationRequired) as refused:
        submit(component, resident)
    assert "Seuls les habitants vérifiés de Sceaux" in refused.value.message
    assert refused.value.url.startswith(reverse("accounts:verification_start", args=["sceaux"]))
    assert not Project.objects.exists() and not Contribution.objects.exists()


def test_a_verified_resident_of_the_commune_can_submit(client, component, budget, resident):
    _reserve(component, "submit")
    verified_resident(resident)
    assert submit(component, resident).author == resident
    client.force_login(resident)
    assert client.post(page(component, "create"), FORM).status_code == 302
    assert Project.objects.filter(title="Des fontaines", author=resident).exists()


def test_a_verification_in_another_commune_does_not_count(component, budget, resident):
    _reserve(component, "submit")
    verified_resident(resident, commune("montreuil"))
    with pytest.raises(VerificationRequired):
        submit(component, resident)
    assert not Project.objects.exists()


def test_reserving_comments_only_leaves_submitting_open(component, budget, resident):
    _reserve(component, "comment")
    assert submit(component, resident).pk


def test_the_form_page_shows_why_and_where_to_verify_instead_of_the_form(client, component, budget, resident):
    _reserve(component, "submit")
    client.force_login(resident)
    url = page(component, "create")
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Seuls les habitants vérifiés de Sceaux peuvent le faire" in html
    assert "Vérifier ma résidence" in html and "Déposer mon projet" not in html
    verify_url = reverse("accounts:verification_start", args=["sceaux"])
    assert f'href="{verify_url}?next=' in html
    # A project posted anyway (an old tab) is refused with the same words, and nothing is saved.
    response = client.post(url, FORM)
    assert response.status_code == 403 and "Seuls les habitants vérifiés" in response.content.decode()
    assert not Project.objects.exists()


def test_the_list_shows_the_message_instead_of_the_submit_button(client, component, budget, resident):
    _reserve(component, "submit")
    client.force_login(resident)
    html = client.get(page(component)).content.decode()
    assert "Seuls les habitants vérifiés de Sceaux peuvent le faire" in html
    assert "Vérifier ma résidence" in html and page(component, "create") not in html
    verified_resident(resident)
    html = client.get(page(component)).content.decode()
    assert page(component, "create") in html and "Vérifier ma résidence" not in html
    client.logout()
    html = client.get(page(component)).content.decode()
    assert "Connectez-vous, puis vérifiez votre résidence" in html and "Se connecter" in html


def test_an_agent_reserves_submitting_from_the_settings_page(component, agent, staff_client):
    verified_actions_reserved(staff_client(agent), component, action="submit", label="Déposer un projet")
