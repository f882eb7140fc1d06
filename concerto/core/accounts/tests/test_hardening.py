"""API tokens act for their user with no second factor: staff create them only after passing 2FA."""

import pytest
from django.urls import reverse

from concerto import testing
from concerto.core.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def test_staff_with_a_password_only_session_must_pass_2fa_before_creating_a_token(client, agent):
    client.force_login(agent)
    for response in (client.get(reverse("accounts:tokens")),
                     client.post(reverse("accounts:tokens"), {"name": "Script volé"})):
        assert response.status_code == 302
        assert response.url.startswith(reverse("mfa_reauthenticate"))
    assert not ApiToken.objects.filter(user=agent).exists()


def test_staff_without_an_authenticator_set_it_up_before_creating_a_token(client, sceaux):
    newcomer = testing.persona("nouvel-agent@sceaux.example.org", role="agent", organisation=sceaux, mfa=False)
    client.force_login(newcomer)
    response = client.post(reverse("accounts:tokens"), {"name": "Script"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa_activate_totp"))
    assert not ApiToken.objects.filter(user=newcomer).exists()


def test_staff_after_2fa_create_a_token(staff_client, agent):
    response = staff_client(agent).post(reverse("accounts:tokens"), {"name": "Tableur de suivi"})
    assert response.status_code == 200
    assert ApiToken.objects.filter(user=agent, name="Tableur de suivi").exists()


def test_residents_need_no_second_factor_for_their_tokens(client, resident):
    client.force_login(resident)
    response = client.post(reverse("accounts:tokens"), {"name": "Mon script"})
    assert response.status_code == 200
    assert ApiToken.objects.filter(user=resident).exists()
