"""Sign-up, login and the second factor staff need for the back-office."""

import re

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.urls import reverse

from concerto import testing
from concerto.core.accounts.models import User

pytestmark = pytest.mark.django_db

LOGIN = "/compte/login/"
DASHBOARD = "/gestion/"


def login(client, email, password=testing.PASSWORD, **kwargs):
    return client.post(LOGIN, {"login": email, "password": password}, **kwargs)


def signup(client, email, password="un mot de passe solide", display_name=None):
    return client.post("/compte/signup/", {"email": email, "password1": password, "password2": password,
                                           "display_name": display_name or email.split("@")[0]})


def test_signup_sends_a_french_confirmation_email_and_confirming_logs_in(client):
    response = signup(client, "nouvelle@example.org")
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "Consultez votre messagerie" in page.content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nouvelle@example.org"]
    assert "Confirmez votre adresse e-mail" in message.subject
    assert "Bonjour" in message.body and "Pour confirmer votre adresse" in message.body
    link = re.search(r"https?://[^/\s]+(/compte/confirm-email/\S+/)", message.body).group(1)

    assert client.get(reverse("accounts:profile")).status_code == 302  # not signed in yet
    confirm_page = client.get(link)
    assert "Confirmer mon adresse e-mail" in confirm_page.content.decode()
    client.post(link)

    user = User.objects.get(email="nouvelle@example.org")
    assert user.emailaddress_set.get().verified
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_unconfirmed_account_cannot_sign_in(client):
    signup(client, "pressee@example.org")
    client.logout()
    response = login(client, "pressee@example.org", "un mot de passe solide", follow=True)
    assert "Consultez votre messagerie" in response.content.decode()
    assert client.get(reverse("accounts:profile")).status_code == 302


def test_login_with_a_wrong_password_shows_a_french_error(client, resident):
    response = login(client, resident.email, "pas le bon mot de passe")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Il y a un problème" in page
    assert "L’adresse e-mail ou le mot de passe sont incorrects." in page
    assert "_auth_user_id" not in client.session


def test_resident_lands_on_home_after_login(client, resident):
    response = login(client, resident.email)
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_staff_login_asks_for_the_authenticator_code_then_reaches_the_back_office(client, agent):
    response = login(client, agent.email)
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session  # not signed in before the second factor
    page = client.get(response["Location"]).content.decode()
    assert "Code de votre application d’authentification" in page

    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert "Code incorrect." in wrong.content.decode()

    response = client.post(reverse("mfa_authenticate"), {"code": testing.totp_code()})
    assert response.status_code == 302
    assert response["Location"] == DASHBOARD
    assert client.get(DASHBOARD).status_code == 200


def test_staff_without_authenticator_is_sent_to_set_it_up_then_enters(client, sceaux,
                                                                     django_capture_on_commit_callbacks):
    newcomer = testing.persona("nouvel-agent@sceaux.example.org", role="agent", organisation=sceaux,
                               mfa=False)
    response = login(client, newcomer.email)
    assert response["Location"] == DASHBOARD

    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))

    page = client.get(reverse("mfa_activate_totp"))
    assert "Configurer votre application d’authentification" in page.content.decode()
    secret = page.context["form"].secret
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_activate_totp"), {"code": testing.totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=newcomer, type=Authenticator.Type.TOTP).exists()
    codes_page = client.get(response["Location"])
    assert "Continuer vers l’espace de gestion" in codes_page.content.decode()

    # The code typed to set the app up counts as this session's second factor.
    assert client.get(DASHBOARD).status_code == 200


def test_staff_signed_in_without_second_factor_must_confirm_a_code(client, agent):
    client.force_login(agent)
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))


def test_resident_has_no_back_office(client, resident):
    login(client, resident.email)
    response = client.get(DASHBOARD)
    assert response.status_code == 403


def test_anonymous_visitor_is_sent_to_login_from_the_back_office(client):
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
