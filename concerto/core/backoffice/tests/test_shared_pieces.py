"""The kernel's shared page pieces, seen from the pages that use them: the pagination include keeps a
list's filter, the account layout gives each page its heading and the way back, and the confirm include
still sends the confirmation."""

import html

import pytest
from django.urls import reverse

from concerto.core.audit.services import audit_record

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_the_next_page_of_the_audit_log_keeps_the_chosen_action(staff_client, admin_sceaux, sceaux):
    for _n in range(51):
        audit_record(actor=admin_sceaux, action="space.created", organisation=sceaux)
    audit_record(actor=admin_sceaux, action="space.published", organisation=sceaux)
    page = text(staff_client(admin_sceaux).get(reverse("backoffice:audit", args=["sceaux"]),
                                               {"action": "space.created"}))
    assert "?action=space.created&page=2" in page
    assert "Actions plus anciennes" in page
    assert "Page 1 sur 2" in page


def test_the_next_page_of_verified_accounts_keeps_the_search(staff_client, admin_sceaux, sceaux):
    from concerto.core.accounts.models import User, Verification

    for n in range(51):
        user = User.objects.create_user(email=f"habitant{n}@exemple.fr", password="x")
        Verification.objects.create(user=user, organisation=sceaux, method=Verification.Method.DESK,
                                    verified_by=admin_sceaux)
    page = text(staff_client(admin_sceaux).get(reverse("backoffice:verification_overview", args=["sceaux"]),
                                               {"q": "habitant"}))
    assert "?q=habitant&page=2" in page


@pytest.mark.parametrize("name, heading", [
    ("accounts:tokens", "Jetons d’API"),
    ("accounts:data_export", "Télécharger mes données"),
    ("accounts:delete", "Supprimer mon compte"),
    ("accounts:notification_settings", "Réglages des notifications"),
])
def test_each_page_of_the_account_has_its_heading_and_the_way_back(client, resident, name, heading):
    client.force_login(resident)
    page = text(client.get(reverse(name)))
    assert f"<h1>{heading}</h1>" in page
    breadcrumbs = page[page.index('class="breadcrumbs"'):]
    breadcrumbs = breadcrumbs[:breadcrumbs.index("</nav>")]
    assert f'href="{reverse("accounts:profile")}">Mon compte</a>' in breadcrumbs


def test_removing_a_role_is_confirmed_with_the_danger_button(staff_client, admin_sceaux, agent):
    from concerto.core.accounts.models import Role

    role = Role.objects.get(user=agent)
    client = staff_client(admin_sceaux)
    page = text(client.get(reverse("backoffice:role_revoke", args=["sceaux", role.pk])))
    assert 'class="button button--danger">Retirer le rôle</button>' in page
    assert f'<a href="{reverse("backoffice:roles", args=["sceaux"])}">Annuler</a>' in page
    client.post(reverse("backoffice:role_revoke", args=["sceaux", role.pk]))
    assert not Role.objects.filter(pk=role.pk).exists()


def test_an_address_already_taken_is_shown_next_to_the_address_field(staff_client, agent, sceaux):
    from concerto.testing import SpaceFactory

    SpaceFactory(organisation=sceaux, slug="plu")
    response = staff_client(agent).post(reverse("backoffice:space_create", args=["sceaux"]), {
        "title": "Plan local d'urbanisme", "slug": "plu", "summary": "", "description": "Concertation.",
        "image_alt": "", "start_date": "", "end_date": ""})
    assert response.status_code == 400
    page = text(response)
    assert 'id="id_slug_error"' in page
    assert '<a href="#id_slug">' in page
