"""The Django admin (/admin/) lets nobody in with a password alone: its login is allauth's (limited tries),
and every page needs a session that passed the second factor, superusers included."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from concerto import testing

pytestmark = pytest.mark.django_db

ADMIN = "/admin/"
ADMIN_LOGIN = "/admin/login/"
LOGIN = "/compte/login/"


@pytest.fixture
def superuser():
    return testing.persona("tech@metropole.example.org", is_staff=True, is_superuser=True, mfa=False)


def test_the_admin_login_form_is_never_shown_and_sends_to_the_site_login(client, superuser):
    response = client.get(ADMIN_LOGIN + "?next=/admin/accounts/user/")
    assert response.status_code == 302
    assert response["Location"] == LOGIN + "?next=%2Fadmin%2Faccounts%2Fuser%2F"
    assert client.get(ADMIN)["Location"].startswith(ADMIN_LOGIN)


def test_a_password_posted_to_the_admin_login_signs_nobody_in(client, superuser):
    response = client.post(ADMIN_LOGIN, {"username": superuser.email, "password": testing.PASSWORD,
                                         "next": ADMIN})
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in client.session
    assert client.get(ADMIN).status_code == 302


def test_a_superuser_signed_in_with_a_password_alone_cannot_use_the_admin(client, superuser):
    client.force_login(superuser)  # a session without the second factor
    # No authenticator yet: sent to set one up, then back to the admin.
    assert client.get(ADMIN)["Location"] == ADMIN_LOGIN + "?next=/admin/"
    assert client.get(ADMIN_LOGIN + "?next=/admin/")["Location"] == (
        reverse("mfa_activate_totp") + "?next=%2Fadmin%2F")
    assert client.get("/admin/accounts/user/").status_code == 302

    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(superuser, testing.TOTP_SECRET)
    assert client.get(ADMIN_LOGIN + "?next=/admin/")["Location"] == (
        reverse("mfa_reauthenticate") + "?next=%2Fadmin%2F")
    assert client.get("/admin/accounts/user/").status_code == 302


def test_a_superuser_after_the_second_factor_uses_the_admin(client, superuser):
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(superuser, testing.TOTP_SECRET)
    testing.login_with_mfa(client, superuser)
    assert client.get(ADMIN).status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200
    assert client.get(ADMIN_LOGIN)["Location"] == ADMIN


def test_a_signed_in_person_without_admin_access_is_refused(client, resident):
    client.force_login(resident)
    assert client.get(ADMIN_LOGIN).status_code == 403


def test_wrong_password_guesses_are_limited_then_even_the_right_one_is_refused(client, superuser):
    cache.clear()
    for n in range(5):
        page = client.post(LOGIN, {"login": superuser.email, "password": f"mauvais-{n}"})
        assert page.status_code == 200
    refused = client.post(LOGIN, {"login": superuser.email, "password": testing.PASSWORD})
    assert "_auth_user_id" not in client.session
    assert "Trop de tentatives de connexion échouées" in refused.content.decode()
    cache.clear()
