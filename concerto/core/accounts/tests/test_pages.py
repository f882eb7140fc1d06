"""Every account page we use: in French, one h1, a label for each field, no empty button."""

from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from concerto import testing

pytestmark = pytest.mark.django_db


class PageAudit(HTMLParser):
    def __init__(self):
        super().__init__()
        self.h1 = 0
        self.labels = set()
        self.fields = []
        self.buttons = []
        self._button = None
        self.lang = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag == "h1":
            self.h1 += 1
        if tag == "label" and attrs.get("for"):
            self.labels.add(attrs["for"])
        if tag in {"input", "select", "textarea"} and attrs.get("type") not in {"hidden", "submit"}:
            self.fields.append(attrs.get("id"))
        if tag == "button":
            self._button = ""

    def handle_data(self, data):
        if self._button is not None:
            self._button += data

    def handle_endtag(self, tag):
        if tag == "button":
            self.buttons.append(self._button.strip())
            self._button = None


def audit(response):
    assert response.status_code == 200, response.status_code
    page = PageAudit()
    page.feed(response.content.decode())
    assert page.lang == "fr"
    assert page.h1 == 1
    unlabelled = [f for f in page.fields if f not in page.labels]
    assert not unlabelled, unlabelled
    assert all(page.buttons), page.buttons
    assert '<link rel="stylesheet"' in response.content.decode()  # the site's look
    return response.content.decode()


@pytest.mark.parametrize(("url", "french"), [
    ("/compte/login/", "Se connecter"),
    ("/compte/signup/", "Créer mon compte"),
    ("/compte/password/reset/", "mot de passe"),
    ("/compte/confirm-email/", "Consultez votre messagerie"),
    ("/compte/confirm-email/cle-invalide/", "Ce lien de confirmation a expiré"),
    ("/compte/password/reset/key/1-cle-invalide/", "mot de passe"),
])
def test_entrance_pages_are_accessible_and_french(client, url, french):
    assert french in audit(client.get(url))


@pytest.mark.parametrize(("url", "french"), [
    ("/compte/profil/", "Mon compte"),
    ("/compte/email/", "Adresses e-mail"),
    ("/compte/password/change/", "mot de passe"),
    ("/compte/logout/", "Me déconnecter"),
    ("/compte/notifications/", "Mes notifications"),
    ("/compte/jetons/", "Jetons d’API"),
    ("/compte/mes-donnees/", "Télécharger mes données"),
    ("/compte/mes-contributions/", "Ce que sont devenues mes contributions"),
    ("/compte/supprimer/", "Supprimer mon compte"),
    ("/compte/2fa/", "Authentification à deux facteurs"),
    ("/compte/2fa/totp/activate/", "Configurer votre application"),
])
def test_account_pages_are_accessible_and_french(client, resident, url, french):
    testing.login_with_mfa(client, resident)
    assert french in audit(client.get(url))


def test_mfa_pages_of_staff_are_accessible_and_french(client, agent):
    response = client.post("/compte/login/", {"login": agent.email, "password": testing.PASSWORD})
    assert "Code de votre application d’authentification" in audit(client.get(response["Location"]))
    client.post(reverse("mfa_authenticate"), {"code": testing.totp_code()})
    assert "Codes de récupération" in audit(client.get(reverse("mfa_generate_recovery_codes")))
    client.post(reverse("mfa_generate_recovery_codes"))
    assert "Vos codes de récupération" in audit(client.get(reverse("mfa_view_recovery_codes")))
    assert "Authentification à deux facteurs" in audit(client.get(reverse("mfa_index")))


def test_mfa_reauthentication_page_is_accessible_and_french(client, agent):
    client.force_login(agent)
    assert "Confirmer" in audit(client.get(reverse("mfa_reauthenticate")))


def test_demo_totp_code_prints_the_current_code(settings, agent, capsys):
    settings.DEBUG = True
    call_command("demo_totp_code", agent.email)
    assert capsys.readouterr().out.strip() == testing.totp_code()


def test_demo_totp_code_refuses_outside_debug(settings, agent):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("demo_totp_code", agent.email)


def test_admin_lists_users_and_roles(client, agent):
    superuser = testing.persona("root@example.org", is_superuser=True, is_staff=True, mfa=True)
    testing.login_with_mfa(client, superuser)  # the admin needs the second factor (test_admin_login.py)
    assert agent.email in client.get("/admin/accounts/user/").content.decode()
    assert client.get(f"/admin/accounts/user/{agent.pk}/change/").status_code == 200
    assert client.get("/admin/accounts/user/add/").status_code == 200
    assert "Sceaux" in client.get("/admin/accounts/role/").content.decode()
