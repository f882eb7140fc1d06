"""Who may open and change Sceaux's back-office: the outsider matrix, anonymous people, 2FA, roles."""

import html

import pytest
from django.urls import reverse

from concerto.core.accounts.models import Role
from concerto.core.audit.models import AuditEntry
from concerto.core.spaces.models import Component, Space, Step
from concerto.core.territory.models import Organisation

pytestmark = pytest.mark.django_db


def text(response) -> str:
    """The page as a person reads it (entities such as &#x27; decoded)."""
    return html.unescape(response.content.decode())


def sceaux_pages(space, agent_role):
    """Every back-office page of Sceaux, with data a POST would send to change something."""
    step, component = space.steps.get(), space.components.get()
    org, slug = space.organisation.slug, space.slug
    step_data = {"title": "Piraté", "start_date": "2026-01-01", "end_date": "2026-02-01"}
    return [
        (reverse("backoffice:organisation", args=[org]), {}),
        (reverse("backoffice:space_create", args=[org]), {"title": "Piraté", "description": "x"}),
        (reverse("backoffice:space", args=[org, slug]), {}),
        (reverse("backoffice:space_edit", args=[org, slug]), {"title": "Piraté", "slug": slug}),
        (reverse("backoffice:space_unpublish", args=[org, slug]), {}),
        (reverse("backoffice:space_publish", args=[org, slug]), {}),
        (reverse("backoffice:space_archive", args=[org, slug]), {}),
        (reverse("backoffice:step_create", args=[org, slug]), step_data),
        (reverse("backoffice:step_edit", args=[org, slug, step.pk]), step_data),
        (reverse("backoffice:step_delete", args=[org, slug, step.pk]), {}),
        (reverse("backoffice:component_add", args=[org, slug]), {"kind": "news", "title": "Piraté"}),
        (reverse("backoffice:component", args=[org, slug, component.pk]), {"title": "Piraté"}),
        (reverse("backoffice:component_unpublish", args=[org, slug, component.pk]), {}),
        (reverse("backoffice:component_publish", args=[org, slug, component.pk]), {}),
        (reverse("backoffice:roles", args=[org]), {"email": "agent@montreuil.example.org", "kind": "admin"}),
        (reverse("backoffice:role_revoke", args=[org, agent_role.pk]), {}),
        (reverse("backoffice:settings", args=[org]), {"accent_color": "#000000", "description": "Piraté"}),
        (reverse("backoffice:audit", args=[org]), {}),
    ]


READ_ONLY_PAGES = {"backoffice:organisation", "backoffice:space", "backoffice:roles"}


def snapshot():
    return {
        "spaces": list(Space.objects.values_list("pk", "title", "slug", "status", "updated_at")),
        "steps": list(Step.objects.values_list("pk", "title", "start_date")),
        "components": list(Component.objects.values_list("pk", "title", "published", "settings")),
        "roles": list(Role.objects.values_list("pk", "user_id", "organisation_id", "kind")),
        "organisations": list(Organisation.objects.filter(slug="sceaux").values_list("description",
                                                                                      "accent_color")),
        "audit": AuditEntry.objects.count(),
    }


def test_outsider_gets_403_on_every_page_of_sceaux_and_changes_nothing(staff_client, outsider, agent,
                                                                       sceaux_space):
    role = agent.roles.get()
    client = staff_client(outsider)
    before = snapshot()
    for url, data in sceaux_pages(sceaux_space, role):
        assert client.get(url).status_code == 403, url
        response = client.post(url, data)
        assert response.status_code == 403, url
        assert "Accès refusé" in text(response)
    assert snapshot() == before


def test_outsider_dashboard_does_not_list_sceaux(staff_client, outsider, sceaux_space):
    html = text(staff_client(outsider).get(reverse("backoffice:dashboard")))
    assert "Montreuil" in html
    assert "/gestion/sceaux/" not in html


def test_anonymous_people_are_sent_to_the_login_page(client, agent, sceaux_space):
    for url, _data in sceaux_pages(sceaux_space, agent.roles.get()) + [(reverse("backoffice:dashboard"), {})]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("account_login")), url


def test_staff_without_a_second_factor_in_this_session_must_pass_it(client, agent, sceaux_space):
    client.force_login(agent)
    for url in [reverse("backoffice:dashboard"), reverse("backoffice:space", args=["sceaux", "budget"])]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("mfa_reauthenticate"))


def test_elected_official_reads_everything_but_changes_nothing(staff_client, elected, agent, sceaux_space):
    client = staff_client(elected)
    before = snapshot()
    for url, data in sceaux_pages(sceaux_space, agent.roles.get()):
        if url.rstrip("/").endswith(("/equipe", "/budget", "/sceaux")):
            response = client.get(url)
            assert response.status_code == 200, url
            assert "Modifier l'espace" not in text(response)
            assert "Créer un espace" not in text(response)
        # Pages that only show things refuse a POST from anyone (405); the others refuse this role (403).
        expected = 405 if url.endswith(("/budget/", "/sceaux/")) else 403
        assert client.post(url, data).status_code == expected, url
    assert snapshot() == before


def test_elected_official_sees_the_space_without_edit_buttons(staff_client, elected, sceaux_space):
    html = text(staff_client(elected).get(reverse("backoffice:space", args=["sceaux", "budget"])))
    assert "Budget participatif" in html
    assert "Dépôt des idées" in html and "Actualités du budget" in html
    assert "Publier" not in html and "Ajouter une étape" not in html


def test_metropole_admin_manages_sceaux(staff_client, metropole_admin, sceaux_space):
    client = staff_client(metropole_admin)
    response = client.post(reverse("backoffice:space_unpublish", args=["sceaux", "budget"]))
    assert response.status_code == 302
    sceaux_space.refresh_from_db()
    assert sceaux_space.status == Space.Status.DRAFT
    assert client.get(reverse("backoffice:settings", args=["sceaux"])).status_code == 200


def test_moderation_queue_is_not_mistaken_for_a_space(staff_client, moderator):
    response = staff_client(moderator).get("/gestion/sceaux/moderation/")
    assert response.status_code == 200
    assert response.resolver_match.namespace == "participation_backoffice"
