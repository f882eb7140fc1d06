"""The notification pipeline: preferences applied once per kind and channel, nothing sent for a change that
was rolled back, and a failing email tried again by the worker instead of being lost in the request."""

import logging

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.db import transaction

from concerto.core.participation.models import Notification
from concerto.core.participation.notifications import (
    mail_send,
    notification_preference_set,
    notification_preferences,
    notification_send,
)
from concerto.core.participation.tasks import MAX_ATTEMPTS

pytestmark = pytest.mark.django_db


def _send(*users, verb="news.published"):
    return notification_send(recipients=users, verb=verb, title="Nouvelle actualité", body="Samedi.", url="/sceaux/")


@pytest.fixture
def flaky_mail(monkeypatch):
    """A mail server that fails the first FAILURES[0] messages, then works."""
    failures = [1]
    send = EmailMessage.send

    def flaky(self, fail_silently=False):
        if failures[0] > 0:
            failures[0] -= 1
            raise ConnectionRefusedError("mail server down")
        return send(self, fail_silently=fail_silently)

    monkeypatch.setattr(EmailMessage, "send", flaky)
    return failures


def test_a_person_who_turned_email_off_for_a_kind_gets_the_site_row_only(
        resident, neighbour, django_capture_on_commit_callbacks):
    notification_preference_set(user=resident, verb="news.published", channel="email", enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        _send(resident, neighbour)
        _send(resident, verb="comment.replied")  # another kind: still by email
    assert Notification.objects.filter(recipient=resident).count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["resident@example.org", "voisin@example.org"]
    assert "Nouvelle actualité" in mail.outbox[0].subject


def test_a_person_who_turned_the_site_off_gets_the_email_only(resident, django_capture_on_commit_callbacks):
    notification_preference_set(user=resident, verb="news.published", channel="site", enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert _send(resident) == []
    assert not Notification.objects.exists() and [m.to for m in mail.outbox] == [["resident@example.org"]]


def test_the_preferences_page_data_lists_declared_kinds_per_channel(resident):
    notification_preference_set(user=resident, verb="comment.replied", channel="email", enabled=False)
    preferences = {kind.verb: channels for kind, channels in notification_preferences(resident)}
    assert preferences["comment.replied"] == {"site": True, "email": False}
    assert preferences["events.reminder"] == {"email": True}


def test_a_notification_in_a_rolled_back_transaction_sends_nothing(resident, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            _send(resident)
            mail_send(addresses=["anonyme@example.org"], subject="Signalement", body="Reçu.")
            raise RuntimeError("the change failed")
    assert callbacks == [] and mail.outbox == [] and not Notification.objects.exists()


def test_a_failing_email_is_tried_again_by_the_worker_and_logged(
        resident, flaky_mail, caplog, django_capture_on_commit_callbacks):
    with caplog.at_level(logging.WARNING, logger="concerto.notifications"):
        with django_capture_on_commit_callbacks(execute=True):
            (notification,) = _send(resident)  # the request itself never sees the failure
    assert [m.to for m in mail.outbox] == [["resident@example.org"]]
    assert "Delivery failed (attempt 1" in caplog.text and "mail server down" in caplog.text
    assert "@" not in caplog.text  # no email address in the logs (RGPD): the task result keeps it
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_an_email_to_an_address_is_tried_again_too_then_given_up_with_an_error(
        flaky_mail, caplog, django_capture_on_commit_callbacks):
    with caplog.at_level(logging.WARNING, logger="concerto.notifications"):
        with django_capture_on_commit_callbacks(execute=True):
            mail_send(addresses=["Anonyme@example.org", "anonyme@example.org"], subject="Reçu", body="Merci.")
    assert [m.to for m in mail.outbox] == [["anonyme@example.org"]]
    flaky_mail[0] = MAX_ATTEMPTS
    with caplog.at_level(logging.WARNING, logger="concerto.notifications"):
        with django_capture_on_commit_callbacks(execute=True):
            mail_send(addresses=["autre@example.org"], subject="Reçu", body="Merci.")
    assert len(mail.outbox) == 1 and f"given up after {MAX_ATTEMPTS} attempts" in caplog.text
    assert "@" not in caplog.text  # the address stays in the task result, out of the logs (RGPD)


def test_with_the_database_backend_a_failed_email_waits_for_a_later_run(
        settings, resident, flaky_mail, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        _send(resident)
    assert DBTaskResult.objects.count() == 1
    from concerto.core.participation.tasks import notification_deliver

    result = DBTaskResult.objects.get()
    with pytest.raises(ConnectionRefusedError):
        notification_deliver.call(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])
    retry = DBTaskResult.objects.exclude(pk=result.pk).get()
    assert retry.run_after is not None and retry.args_kwargs["kwargs"] == {"attempt": 2}
    assert mail.outbox == []


def test_a_resident_turns_off_the_emails_of_news_on_the_settings_page(
        client, resident, django_capture_on_commit_callbacks):
    from django.urls import reverse

    client.force_login(resident)
    url = reverse("accounts:notification_settings")
    assert url in client.get(reverse("accounts:notifications")).content.decode()
    page = client.get(url).content.decode()
    assert "Actualités des espaces et organisations que je suis" in page and "Par e-mail" in page
    assert 'value="news.published email" id="' in page and "checked" in page
    offered = [f"{kind.verb} {name}" for kind, channels in notification_preferences(resident) for name in channels]
    wanted = [value for value in offered if value != "news.published email"]
    response = client.post(url, {"wanted": wanted}, follow=True)
    assert "Vos choix sont enregistrés." in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        _send(resident)
        _send(resident, verb="comment.replied")
    assert Notification.objects.filter(recipient=resident).count() == 2
    assert len(mail.outbox) == 1
    assert Notification.objects.get(verb="news.published").emailed_at is None
    assert Notification.objects.get(verb="comment.replied").emailed_at is not None
