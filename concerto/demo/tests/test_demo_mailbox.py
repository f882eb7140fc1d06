"""The demo's inbox (/demo/courriels/): with DEBUG on and the demo's e-mail backend, a person reads the e-mails
sent to their own address (or to the address they type), to finish signing up without the server's console;
with DEBUG off it does not exist."""

import pytest
from django.core import mail
from django.urls import reverse

from concerto.demo import mailbox
from concerto.testing import persona

pytestmark = pytest.mark.django_db

INBOX = "/demo/courriels/"


@pytest.fixture
def demo_mail(settings, tmp_path):
    settings.DEBUG = True
    settings.EMAIL_BACKEND = mailbox.BACKEND
    settings.CONCERTO_DEMO_MAIL_DIR = str(tmp_path)
    return tmp_path


def test_the_inbox_is_a_404_with_debug_off_even_with_the_demo_backend(client, settings, tmp_path):
    settings.DEBUG = False
    settings.EMAIL_BACKEND = mailbox.BACKEND
    settings.CONCERTO_DEMO_MAIL_DIR = str(tmp_path)
    mail.send_mail("Secret", "Le lien", None, ["camille@example.org"])
    assert reverse("demo_mailbox") == INBOX
    response = client.get(INBOX, {"adresse": "camille@example.org"})
    assert response.status_code == 404 and "Le lien" not in response.content.decode()


def test_the_inbox_is_a_404_with_another_backend(client, settings):
    settings.DEBUG = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert client.get(INBOX).status_code == 404


def test_a_signed_in_person_reads_their_own_emails_only(client, demo_mail):
    camille = persona("camille@example.org", display_name="Camille Martin")
    mail.send_mail("Bienvenue", "Voici le lien : http://testserver/compte/confirm-email/abc/", None,
                   ["Camille@Example.org"])
    mail.send_mail("Pour Lou", "Rien pour Camille", None, ["lou@example.org"])
    client.force_login(camille)
    page = client.get(INBOX).content.decode()
    assert "Boîte de réception de démonstration" in page
    assert "Courriels envoyés à camille@example.org" in page and "Bienvenue" in page
    assert '<a href="http://testserver/compte/confirm-email/abc/"' in page  # the link can be followed
    assert "Pour Lou" not in page and "Rien pour Camille" not in page


def test_a_newcomer_types_the_address_they_signed_up_with(client, demo_mail):
    mail.send_mail("Confirmez votre adresse", "Le lien", None, ["Lou des Blagis <lou@example.org>"])
    empty = client.get(INBOX).content.decode()
    assert "Adresse électronique" in empty and "Confirmez votre adresse" not in empty
    page = client.get(INBOX, {"adresse": "lou@example.org"}).content.decode()
    assert "Confirmez votre adresse" in page
    nobody = client.get(INBOX, {"adresse": "personne@example.org"}).content.decode()
    assert "Aucun courriel n’a encore été envoyé à cette adresse." in nobody
    bad = client.get(INBOX, {"adresse": "pas une adresse"})
    assert bad.status_code == 200 and "Saisissez une adresse de courriel valide" in bad.content.decode()


def test_the_sign_up_confirmation_page_points_to_the_inbox(client, demo_mail):
    response = client.post(reverse("account_signup"), {
        "email": "nouvelle@example.org", "display_name": "Lou des Blagis",
        "password1": "un mot de passe solide", "password2": "un mot de passe solide"}, follow=True)
    page = response.content.decode()
    assert f'href="{INBOX}"' in page
    inbox = client.get(INBOX, {"adresse": "nouvelle@example.org"}).content.decode()
    assert "/compte/confirm-email/" in inbox


def test_the_folder_keeps_only_the_latest_emails(demo_mail, monkeypatch):
    monkeypatch.setattr(mailbox, "KEEP", 3)
    for number in range(5):
        mail.send_mail(f"Message {number}", "x", None, ["lou@example.org"])
    assert len(list(demo_mail.glob("*.json"))) == 3
    assert [email["subject"] for email in mailbox.messages_for("lou@example.org")] == [
        "Message 4", "Message 3", "Message 2"]


def test_a_folder_that_cannot_be_written_does_not_stop_the_email(settings, tmp_path):
    settings.DEBUG = True
    settings.EMAIL_BACKEND = mailbox.BACKEND
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    settings.CONCERTO_DEMO_MAIL_DIR = str(blocker / "mail")
    assert mail.send_mail("Bienvenue", "Le lien", None, ["lou@example.org"]) == 1
