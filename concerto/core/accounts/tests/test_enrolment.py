"""Staff enrolment: a granted role waits until its holder follows a one-time link sent to their address and
sets up their authenticator app (or activates it at a desk, in front of an administrator). Until then it
grants nothing, so whoever knows the password cannot enrol first and take the role over."""

import datetime
import re

import pytest
import rules
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from concerto import testing
from concerto.core.accounts import enrolment
from concerto.core.accounts.models import ApiToken, Role, RoleEnrolment
from concerto.core.accounts.permissions import has_role, user_has_backoffice
from concerto.core.audit.models import AuditEntry
from concerto.core.backoffice import services as backoffice_services
from concerto.core.spaces.models import Space

pytestmark = pytest.mark.django_db

DASHBOARD = "/gestion/"
LINK = re.compile(r"https?://[^/\s]+(/compte/activer-mes-roles/[^/\s]+/)")


@pytest.fixture
def granted(admin_sceaux, sceaux, django_capture_on_commit_callbacks):
    """A new agent of Sceaux, granted by its administrator: (user, role, link path from the email)."""
    newcomer = testing.persona("nouvel-agent@sceaux.example.org", mfa=False)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        role = backoffice_services.role_grant(actor=admin_sceaux, organisation=sceaux, user=newcomer, kind="agent")
    return newcomer, role, _link_in_last_mail(newcomer)


def _link_in_last_mail(user) -> str:
    message = [m for m in mail.outbox if m.to == [user.email]][-1]
    return LINK.search(message.body).group(1)


def _with_app(client, user):
    """USER sets up an authenticator app and signs in with it (this client)."""
    if not Authenticator.objects.filter(user=user, type="totp").exists():
        TOTP.activate(user, testing.TOTP_SECRET)
    testing.login_with_mfa(client, user)
    return client


def test_granting_a_role_emails_a_french_one_time_link_and_leaves_the_role_waiting(granted):
    newcomer, role, link = granted
    message = mail.outbox[-1]
    assert message.subject.endswith("Activez votre rôle sur Concerto")
    assert "agent (Sceaux)" in message.body and "dans les 7\u00a0jours" in message.body
    assert role.activated_at is None
    stored = RoleEnrolment.objects.get(user=newcomer)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert stored.token_hash == RoleEnrolment.hash_token(token) and token not in stored.token_hash
    assert abs(stored.expires_at - stored.created_at - datetime.timedelta(days=7)) < datetime.timedelta(seconds=5)
    assert AuditEntry.objects.filter(action="role.enrolment_link_sent").exists()


def test_a_pending_role_grants_nothing_even_after_a_second_factor(client, granted, sceaux, agent):
    newcomer, role, _link = granted
    draft = testing.SpaceFactory(organisation=sceaux, status=Space.Status.DRAFT)
    _with_app(client, newcomer)  # password and app: what someone who knew the password could do
    newcomer.concerto_second_factor = True
    assert not has_role(newcomer, sceaux)
    assert not user_has_backoffice(newcomer)
    # Every named permission (the kernel's and each component's manifest's), on the organisation and on a
    # component of its draft space: none is granted.
    # What an active agent of Sceaux is granted there, the waiting one is not.
    component = testing.ComponentFactory(space=draft)
    agent.concerto_second_factor = True
    granted_to_agent = []
    for name in sorted(rules.permissions.permissions):
        for target in (sceaux, draft, component):
            try:
                if agent.has_perm(name, target):
                    granted_to_agent.append((name, target))
            except AttributeError:  # a permission about another kind of object (a comment...)
                continue
    assert len({name for name, _target in granted_to_agent}) >= 5
    for name, target in granted_to_agent:
        assert not newcomer.has_perm(name, target), name
    assert draft not in Space.objects.visible_to(newcomer)
    dashboard = client.get(DASHBOARD)
    assert dashboard.status_code == 403 and "Votre rôle attend son activation" in dashboard.content.decode()
    assert client.get(reverse("backoffice:organisation", args=["sceaux"])).status_code == 403
    assert client.get("/api/v1/me").json()["roles"] == []


def test_knowing_the_password_and_enrolling_first_does_not_take_the_role_over(client, granted):
    """The issue's takeover: the attacker signs in with the password and sets up their own app first. The
    role still waits for the link, which is in the holder's mailbox; a guessed link is refused."""
    newcomer, role, _link = granted
    _with_app(client, newcomer)
    response = client.get(reverse("accounts:role_enrolment", args=["devine-" + "x" * 40]))
    assert response.status_code == 400 and "Ce lien n’est pas valide" in response.content.decode()
    assert client.post(reverse("accounts:role_enrolment", args=["devine"])).status_code == 400
    role.refresh_from_db()
    assert role.activated_at is None
    assert client.get(DASHBOARD).status_code == 403


def test_the_link_leads_through_login_and_app_set_up_then_activates_the_roles(client, granted):
    newcomer, role, link = granted
    token_before = ApiToken.issue(user=newcomer, name="fait avant l’activation")[0]
    response = client.get(link)
    assert response.status_code == 302 and response["Location"].startswith("/compte/login/?next=")
    client.force_login(newcomer)  # password only, no app yet
    response = client.get(link)
    assert response.status_code == 302 and response["Location"].startswith(reverse("mfa_activate_totp"))
    _with_app(client, newcomer)
    page = client.get(link)
    assert page.status_code == 200 and "Agent · Sceaux" in page.content.decode()
    role.refresh_from_db()
    assert role.activated_at is None  # opening the link (a mail client's preview) activates nothing
    response = client.post(link)
    assert response.status_code == 302 and response["Location"] == DASHBOARD
    role.refresh_from_db()
    assert role.activated_at is not None
    assert client.get(DASHBOARD).status_code == 200
    assert AuditEntry.objects.filter(action="role.activated", data__method="link").exists()
    # A token made while the role waited may have been made by whoever knew the password.
    assert not ApiToken.objects.filter(pk=token_before.pk).exists()


def test_the_link_works_once(client, granted):
    newcomer, _role, link = granted
    _with_app(client, newcomer)
    assert client.post(link).status_code == 302
    again = client.post(link)
    assert again.status_code == 400 and "déjà été utilisé" in again.content.decode()
    assert client.get(link).status_code == 400


def test_an_expired_link_is_refused_and_activates_nothing(client, granted):
    newcomer, role, link = granted
    RoleEnrolment.objects.filter(user=newcomer).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    _with_app(client, newcomer)
    response = client.post(link)
    assert response.status_code == 400 and "Ce lien a expiré" in response.content.decode()
    role.refresh_from_db()
    assert role.activated_at is None


def test_a_new_link_cancels_the_previous_one(client, staff_client, granted, admin_sceaux,
                                              django_capture_on_commit_callbacks):
    newcomer, role, old_link = granted
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client(admin_sceaux).post(reverse("backoffice:role_link_resend", args=["sceaux", role.pk]))
    assert response.status_code == 302
    new_link = _link_in_last_mail(newcomer)
    assert new_link != old_link
    _with_app(client, newcomer)
    refused = client.post(old_link)
    assert refused.status_code == 400 and "Un lien plus récent" in refused.content.decode()
    assert client.post(new_link).status_code == 302


def test_the_link_does_nothing_for_another_signed_in_account(client, granted, resident):
    _newcomer, role, link = granted
    _with_app(client, resident)
    assert client.post(link).status_code == 403
    role.refresh_from_db()
    assert role.activated_at is None


def test_the_team_page_shows_waiting_roles_and_offers_to_send_the_link_again(staff_client, granted, admin_sceaux,
                                                                              agent):
    page = staff_client(admin_sceaux).get(reverse("backoffice:roles", args=["sceaux"])).content.decode()
    assert "En attente d’inscription" in page and "Renvoyer le lien d’activation" in page
    # An agent cannot send links (nor resend them by URL).
    _newcomer, role, _link = granted
    assert staff_client(agent).post(reverse("backoffice:role_link_resend", args=["sceaux", role.pk])
                                    ).status_code == 403


def test_desk_activation_needs_the_code_of_the_holders_own_app(staff_client, granted, admin_sceaux):
    newcomer, role, _link = granted
    url = reverse("backoffice:role_desk_activate", args=["sceaux", role.pk])
    client = staff_client(admin_sceaux)
    no_app = client.post(url, {"code": "123456"})
    assert no_app.status_code == 400 and "pas encore configuré" in no_app.content.decode()
    TOTP.activate(newcomer, testing.TOTP_SECRET)
    wrong = client.post(url, {"code": "000000"})
    assert wrong.status_code == 400
    role.refresh_from_db()
    assert role.activated_at is None
    assert client.post(url, {"code": testing.totp_code()}).status_code == 302
    role.refresh_from_db()
    assert role.activated_at is not None
    entry = AuditEntry.objects.get(action="role.activated", data__method="desk")
    assert entry.actor == admin_sceaux


def test_a_role_for_someone_already_enrolled_is_active_at_once(agent, admin_sceaux, sceaux):
    mail.outbox.clear()
    role = backoffice_services.role_grant(actor=admin_sceaux, organisation=sceaux, user=agent, kind="moderator")
    assert role.activated_at is not None and mail.outbox == []


def test_resetting_a_staff_members_second_factor_puts_roles_back_to_waiting_with_a_new_link(
        staff_client, admin_sceaux, agent, django_capture_on_commit_callbacks):
    role = agent.roles.get()
    url = reverse("backoffice:role_second_factor_reset", args=["sceaux", role.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert staff_client(admin_sceaux).post(url).status_code == 302
    role.refresh_from_db()
    assert role.activated_at is None
    assert not Authenticator.objects.filter(user=agent).exists()
    assert _link_in_last_mail(agent)
    assert AuditEntry.objects.filter(action="account.second_factor_reset").exists()


def test_a_commune_administrator_cannot_reset_a_metropole_administrators_second_factor(
        staff_client, admin_sceaux, metropole_admin, sceaux):
    Role.objects.create(user=metropole_admin, organisation=sceaux, kind="agent", activated_at=timezone.now())
    role = metropole_admin.roles.get(organisation=sceaux)
    response = staff_client(admin_sceaux).post(
        reverse("backoffice:role_second_factor_reset", args=["sceaux", role.pk]))
    assert response.status_code == 400
    assert Authenticator.objects.filter(user=metropole_admin).exists()
    assert not metropole_admin.roles.pending().exists()


def test_the_role_grant_command_sends_the_link(sceaux, django_capture_on_commit_callbacks):
    person = testing.persona("premiere-admin@metropole.example.org", mfa=False)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("role_grant", person.email, "sceaux", "admin")
    assert person.roles.pending().count() == 1
    assert _link_in_last_mail(person)


def test_the_upgrade_keeps_active_the_roles_of_staff_with_an_app_and_makes_the_others_wait(sceaux):
    import importlib

    from django.apps import apps

    with_app = testing.persona("avec-app@sceaux.example.org", role="agent", organisation=sceaux)
    without = testing.persona("sans-app@sceaux.example.org", role="agent", organisation=sceaux, mfa=False)
    Role.objects.update(activated_at=None)
    migration = importlib.import_module("concerto.core.accounts.migrations.0004_roles_of_enrolled_staff_stay_active")
    migration.activate_enrolled(apps, None)
    assert with_app.roles.get().activated_at is not None
    assert without.roles.get().activated_at is None
    assert enrolment.is_enrolled(with_app) and not enrolment.is_enrolled(without)
