"""The notifications page and personal API tokens."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from concerto import testing
from concerto.core.accounts.models import ApiToken
from concerto.core.accounts.services import api_token_create, api_token_revoke, authenticate_api_token
from concerto.core.audit.models import AuditEntry
from concerto.core.participation.models import Notification
from concerto.core.participation.services import notification_mark_read, notification_send

pytestmark = pytest.mark.django_db


def test_notifications_list_unread_first_and_link_to_their_page(client, resident):
    [old] = notification_send(recipients=[resident], verb="t", title="Ancienne nouvelle", url="/sceaux/")
    notification_mark_read(user=resident, notification_ids=[old.pk])
    [new] = notification_send(recipients=[resident], verb="t", title="Étape ouverte", url="/sceaux/")
    # Unread comes first, whatever the date.
    Notification.objects.filter(pk=new.pk).update(created_at=old.created_at)
    client.force_login(resident)

    page = client.get(reverse("accounts:notifications")).content.decode()

    assert page.index("Étape ouverte") < page.index("Ancienne nouvelle")
    # When, as the site writes it elsewhere: « 6 décembre 2026, 16 h 05 », not « 16:05 ».
    when = timezone.make_aware(datetime.datetime(2026, 12, 6, 16, 5))
    Notification.objects.filter(pk__in=[old.pk, new.pk]).update(created_at=when)
    page = client.get(reverse("accounts:notifications")).content.decode()
    assert "6 décembre 2026, 16\u00a0h\u00a005" in page and "16:05" not in page
    assert "1 notification non lue" in page
    response = client.get(reverse("accounts:notification_open", args=[new.pk]))
    assert response["Location"] == "/sceaux/"
    new.refresh_from_db()
    assert new.read_at is not None


def test_mark_all_as_read(client, resident):
    notification_send(recipients=[resident], verb="t", title="Première", url="/")
    notification_send(recipients=[resident], verb="t", title="Deuxième", url="/")
    client.force_login(resident)
    assert "Tout marquer comme lu" in client.get(reverse("accounts:notifications")).content.decode()

    response = client.post(reverse("accounts:notifications_mark_read"), follow=True)

    assert not Notification.objects.filter(recipient=resident, read_at__isnull=True).exists()
    assert "Toutes vos notifications sont marquées comme lues." in response.content.decode()


def test_someone_elses_notification_cannot_be_opened(client, resident):
    other = testing.persona("autre@example.org")
    [notification] = notification_send(recipients=[other], verb="t", title="Privée", url="/")
    client.force_login(resident)
    assert client.get(reverse("accounts:notification_open", args=[notification.pk])).status_code == 404
    assert "Privée" not in client.get(reverse("accounts:notifications")).content.decode()


def test_notification_link_to_another_site_is_not_followed(client, resident):
    [notification] = notification_send(recipients=[resident], verb="t", title="Piège", url="https://evil.example/")
    client.force_login(resident)
    response = client.get(reverse("accounts:notification_open", args=[notification.pk]))
    assert response["Location"] == reverse("accounts:notifications")


def test_empty_notifications_say_what_to_do(client, resident):
    client.force_login(resident)
    page = client.get(reverse("accounts:notifications")).content.decode()
    assert "Vous n’avez pas encore de notification" in page


def test_create_a_token_shows_its_key_once(client, resident):
    client.force_login(resident)
    response = client.post(reverse("accounts:tokens"), {"name": "Tableur de suivi"})
    page = response.content.decode()
    token = ApiToken.objects.get(user=resident)
    assert token.name == "Tableur de suivi"
    key = response.context["new_key"]
    assert key.startswith("cct_") and key in page
    assert "il ne sera plus affiché" in page
    assert AuditEntry.objects.filter(action="api_token.created", actor=resident).exists()

    later = client.get(reverse("accounts:tokens")).content.decode()
    assert "Tableur de suivi" in later and key not in later


def test_token_needs_a_name(client, resident):
    client.force_login(resident)
    response = client.post(reverse("accounts:tokens"), {"name": "   "})
    assert "Ce champ est obligatoire." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoke_a_token(client, resident):
    token, key = api_token_create(user=resident, name="Ancien script")
    client.force_login(resident)
    response = client.post(reverse("accounts:token_revoke", args=[token.pk]), follow=True)
    assert "Le jeton est révoqué" in response.content.decode()
    assert not ApiToken.objects.exists()
    assert authenticate_api_token(key) is None
    assert AuditEntry.objects.filter(action="api_token.revoked").exists()


def test_outsider_cannot_revoke_someone_elses_token(client, resident, outsider):
    token, key = api_token_create(user=resident, name="Script de Camille")
    testing.login_with_mfa(client, outsider)
    response = client.post(reverse("accounts:token_revoke", args=[token.pk]), follow=True)
    assert "n’existe pas" in response.content.decode()
    assert ApiToken.objects.filter(pk=token.pk).exists()
    assert not api_token_revoke(user=outsider, token_id=token.pk)
    assert "Script de Camille" not in client.get(reverse("accounts:tokens")).content.decode()


def test_authenticate_api_token_returns_the_active_owner_and_records_use(resident):
    token, key = api_token_create(user=resident, name="API")
    assert authenticate_api_token(key) == resident
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert authenticate_api_token("cct_wrong") is None
    assert authenticate_api_token("") is None
    resident.is_active = False
    resident.save()
    assert authenticate_api_token(key) is None


def test_the_notifications_pages_keep_their_account_addresses(client, resident):
    # The pages are participation's, mounted beside the account's own: their addresses (bookmarked, linked from
    # emails) and names are those of the account pages.
    [notice] = notification_send(recipients=[resident], verb="t", title="Étape ouverte", url="/sceaux/")
    assert reverse("accounts:notifications") == "/compte/notifications/"
    assert reverse("accounts:notification_settings") == "/compte/notifications/reglages/"
    assert reverse("accounts:notifications_mark_read") == "/compte/notifications/tout-lu/"
    assert reverse("accounts:notification_open", args=[notice.pk]) == f"/compte/notifications/{notice.pk}/"
    client.force_login(resident)
    assert "Étape ouverte" in client.get("/compte/notifications/").content.decode()
    assert client.get("/compte/notifications/reglages/").status_code == 200
    assert client.get("/compte/profil/").status_code == 200
