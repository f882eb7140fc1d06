"""A partial settings update keeps what it does not name. The issue's case: a yes/no setting left out of an
update (a budget's "only verified residents can vote") became False, and a test vote then took ballots
from non-residents. One test per entry point that updates settings."""

import re

import pytest
from django.urls import reverse

from concerto.core.accounts import verification
from concerto.core.backoffice.services import organisation_settings_update
from concerto.core.spaces import services
from concerto.testing import SpaceFactory, StepFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def budget(agent, sceaux):
    space = SpaceFactory(organisation=sceaux, slug="bp-2026")
    step = StepFactory(space=space)
    component = services.component_add(actor=agent, space=space, kind="budgets", title="Budget participatif")
    return component, step


def test_the_service_keeps_the_global_and_step_settings_an_update_leaves_out(agent, budget):
    component, step = budget
    assert component.setting("vote_requires_verification") is True  # the default
    services.component_update_settings(actor=agent, component=component, settings={"comments_enabled": "0"},
                                       step_settings={str(step.pk): {"voting_open": "on"}})
    services.component_update_settings(actor=agent, component=component, settings={"projects_per_page": "30"},
                                       step_settings={str(step.pk): {"comments_open": "off"}})
    component.refresh_from_db()
    assert component.setting("vote_requires_verification") is True
    assert component.setting("comments_enabled") is False  # a stored value is kept, not the default
    assert component.setting("projects_per_page") == 30
    assert component.step_setting("voting_open", step) is True
    assert component.step_setting("comments_open", step) is False


def test_a_setting_turned_off_stays_off_when_another_is_updated(agent, budget):
    component, _step = budget
    services.component_update_settings(actor=agent, component=component,
                                       settings={"vote_requires_verification": False}, step_settings={})
    services.component_update_settings(actor=agent, component=component, settings={"comments_enabled": True},
                                       step_settings={})
    component.refresh_from_db()
    assert component.setting("vote_requires_verification") is False


def _form_data(page: str) -> dict:
    """What the browser sends back for the settings form as shown: every input, ticked boxes only."""
    data = {}
    for tag in re.findall(r"<input[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or name.group(1) == "csrfmiddlewaretoken":
            continue
        kind = re.search(r'type="([^"]+)"', tag).group(1)
        value = re.search(r'value="([^"]*)"', tag)
        if kind == "checkbox":
            if "checked" in tag:
                data.setdefault(name.group(1), []).append(value.group(1) if value else "on")
        else:
            data[name.group(1)] = value.group(1) if value else ""
    return data


def test_the_back_office_form_leaves_a_step_added_meanwhile_as_it_was(staff_client, agent, budget):
    component, step = budget
    client = staff_client(agent)
    url = reverse("backoffice:component", args=["sceaux", "bp-2026", component.pk])
    page = client.get(url).content.decode()
    assert 'name="steps_shown"' in page
    data = _form_data(page)
    # A colleague adds a step and opens its vote while this page is open.
    later = StepFactory(space=step.space, title="Vote")
    services.component_update_settings(actor=agent, component=component, settings={},
                                       step_settings={str(later.pk): {"voting_open": True}})
    response = client.post(url, data)
    assert response.status_code == 302
    component.refresh_from_db()
    assert component.step_setting("voting_open", later) is True
    assert component.setting("vote_requires_verification") is True


def test_organisation_settings_updated_in_part_keep_the_rest(admin_sceaux, sceaux):
    organisation_settings_update(actor=admin_sceaux, organisation=sceaux, description="Ville de Sceaux",
                                 website="https://www.sceaux.fr", contact_email="mairie@sceaux.fr",
                                 accent_color="#1d4ed8")
    organisation_settings_update(actor=admin_sceaux, organisation=sceaux, website="https://sceaux.fr")
    sceaux.refresh_from_db()
    assert sceaux.website == "https://sceaux.fr"
    assert (sceaux.description, sceaux.contact_email, sceaux.accent_color) == (
        "Ville de Sceaux", "mairie@sceaux.fr", "#1d4ed8")


def test_verification_methods_updated_in_part_keep_the_other(agent, sceaux):
    verification.setup_update(agent=agent, organisation=sceaux, sms_enabled=True, post_enabled=True)
    verification.setup_update(agent=agent, organisation=sceaux, post_enabled=False)
    setup = verification.setup_for(organisation=sceaux)
    assert setup.sms_enabled is True and setup.post_enabled is False
