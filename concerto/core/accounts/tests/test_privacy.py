"""RGPD: downloading one's data and deleting one's account."""

import json

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils import timezone

from concerto import testing
from concerto.core.accounts.models import ApiToken, Role, User
from concerto.core.accounts.services import api_token_create
from concerto.core.audit.models import AuditEntry
from concerto.core.participation.models import Comment, Follow, Notification
from concerto.core.participation.services import comment_create, follow_add, notification_send

pytestmark = pytest.mark.django_db


@pytest.fixture
def space(sceaux):
    return testing.SpaceFactory(organisation=sceaux, title="Budget participatif de Sceaux")


@pytest.fixture
def busy_resident(resident, space, sceaux):
    """A resident who consented to demographics, follows, comments, is notified and has a token."""
    resident.demographics_consent_at = timezone.now()
    resident.birth_year, resident.gender = 1982, "woman"
    resident.save()
    follow_add(user=resident, target=space)
    comment_create(author=resident, target=space, body="Il faut plus d'arbres rue Houdan.")
    notification_send(recipients=[resident], verb="test", title="Une nouvelle étape a commencé",
                      url="/sceaux/")
    _token, resident.token_key = api_token_create(user=resident, name="Mon script")
    return resident


def download(client):
    response = client.post(reverse("accounts:data_export"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="concerto-mes-donnees-')
    return json.loads(response.content)


def test_export_page_explains_the_file(client, resident):
    client.force_login(resident)
    page = client.get(reverse("accounts:data_export")).content.decode()
    assert "Télécharger mes données" in page


def test_export_holds_everything_about_the_person(client, busy_resident, sceaux):
    client.force_login(busy_resident)
    data = download(client)

    assert data["account"]["email"] == "resident@example.org"
    assert data["account"]["display_name"] == "Camille Martin"
    assert data["demographics"] == {
        "consent_given_at": data["demographics"]["consent_given_at"], "birth_year": 1982,
        "residence": "Sceaux", "residence_insee_code": sceaux.insee_code, "gender": "woman", "quartier": None,
        "activity": None,
    }
    assert data["follows"][0]["title"] == "Budget participatif de Sceaux"
    assert data["comments"][0]["body"] == "Il faut plus d'arbres rue Houdan."
    assert data["notifications"][0]["title"] == "Une nouvelle étape a commencé"
    actions = {e["action"] for e in data["audit_log"]}
    assert actions >= {"follow.added", "comment.created", "api_token.created"}
    assert data["api_tokens"] == [{"name": "Mon script", "created_at": data["api_tokens"][0]["created_at"],
                                   "last_used_at": None}]
    assert busy_resident.token_key not in json.dumps(data)  # never a token key
    assert isinstance(data["components"], dict)


def test_export_lists_roles_of_staff(staff_client, agent):
    data = download(staff_client(agent))
    role = data["roles"][0]
    assert data["roles"] == [{"organisation": "Sceaux", "role": "agent", "since": role["since"],
                              "active_since": role["active_since"]}]
    assert role["active_since"] is not None  # the persona's role is active (enrolled)
    assert data["account"]["two_factor_methods"] == ["totp"]


def test_export_holds_nothing_of_another_user(client, busy_resident, space):
    other = testing.persona("voisin@example.org", display_name="Dominique Voisin")
    comment_create(author=other, target=space, body="Commentaire du voisin")
    client.force_login(other)

    text = json.dumps(download(client), ensure_ascii=False)

    assert "Dominique Voisin" in text
    for secret in ("resident@example.org", "Camille Martin", "rue Houdan", "Mon script", "nouvelle étape"):
        assert secret not in text


def test_export_requires_login(client):
    response = client.post(reverse("accounts:data_export"))
    assert response.status_code == 302


def test_delete_page_states_the_consequences_and_asks_the_password(client, resident):
    client.force_login(resident)
    page = client.get(reverse("accounts:delete")).content.decode()
    assert page.count("<h1") == 1
    assert "Participant anonyme" in page
    assert 'type="password"' in page and 'for="id_password"' in page


def test_wrong_password_keeps_the_account(client, busy_resident):
    client.force_login(busy_resident)
    response = client.post(reverse("accounts:delete"), {"password": "pas le mien"})
    assert response.status_code == 200
    assert "Ce mot de passe n’est pas correct." in response.content.decode()
    assert User.objects.filter(pk=busy_resident.pk).exists()


def test_deleting_the_account_anonymises_comments_and_erases_personal_data(client, busy_resident, space):
    user_id = busy_resident.pk
    comment = Comment.objects.get(author=busy_resident)
    client.force_login(busy_resident)

    response = client.post(reverse("accounts:delete"), {"password": testing.PASSWORD}, follow=True)

    assert SESSION_KEY not in client.session
    assert "Votre compte est supprimé" in response.content.decode()
    assert not User.objects.filter(pk=user_id).exists()
    comment.refresh_from_db()
    assert comment.author is None
    assert comment.body == "Il faut plus d'arbres rue Houdan."
    assert not Follow.objects.exists()
    assert not Notification.objects.exists()
    assert not ApiToken.objects.exists()
    assert AuditEntry.objects.filter(action="comment.created", actor=None).exists()
    deleted = AuditEntry.objects.get(action="account.deleted")
    assert deleted.actor is None
    assert "Camille" not in str(deleted.data) and "resident@" not in str(deleted.data)
    assert not AuditEntry.objects.filter(target_repr__contains="resident@example.org").exists()


def test_deleting_a_staff_account_removes_roles_and_leaves_other_users(staff_client, agent, resident, sceaux):
    client = staff_client(agent)
    client.post(reverse("accounts:delete"), {"password": testing.PASSWORD})
    assert not Role.objects.filter(organisation=sceaux, kind="agent").exists()
    assert User.objects.filter(pk=resident.pk).exists()


def test_the_downloaded_file_keeps_its_sections_in_their_usual_order(client, busy_resident):
    # Participation's sections (follows ... contributions) come from its personal-data provider, registered at
    # start-up: the file a person downloads must read as before, participation's part in its place (then the
    # campaigns the person was sent (mobilisation), the background jobs' provider: the jobs the person started).
    client.force_login(busy_resident)
    response = client.post(reverse("accounts:data_export"))
    sections = list(json.loads(response.content))
    assert sections == [
        "exported_at", "account", "roles", "demographics", "follows", "notifications", "comments",
        "comment_votes", "contributions", "push_subscriptions", "digest", "email_bounces",
        "campaigns_received", "actor_memberships", "background_jobs",
        "audit_log", "api_tokens", "components", "verifications", "verification_codes",
    ]


def test_the_deletion_entry_of_the_audit_log_counts_the_anonymised_comments(client, busy_resident):
    client.force_login(busy_resident)
    client.post(reverse("accounts:delete"), {"password": testing.PASSWORD})
    assert AuditEntry.objects.get(action="account.deleted").data == {"comments_anonymised": 1}
