"""Notification emails: written in French, sent only after commit, through the task queue."""

import pytest
from django.core import mail
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from concerto.core.participation.models import Notification
from concerto.core.participation.services import notification_send
from concerto.core.participation.tasks import notification_email

pytestmark = pytest.mark.django_db


def _send(user):
    return notification_send(recipients=[user], verb="news.published", title="Nouvelle actualité",
                             body="Le premier atelier a lieu samedi.", url="/sceaux/")


def test_email_goes_out_after_commit_in_french(resident, django_capture_on_commit_callbacks, settings):
    settings.SITE_URL = "https://concerto.example.org"
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        _send(resident)
        assert mail.outbox == []
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["resident@example.org"]
    assert message.subject.endswith("Nouvelle actualité")
    assert message.body.startswith("Bonjour,")
    assert "En savoir plus\u00a0: https://concerto.example.org/sceaux/" in message.body
    assert "Ne plus suivre" in message.body
    assert Notification.objects.get(recipient=resident).emailed_at is not None


def test_with_the_database_backend_nothing_is_sent_until_a_worker_runs(
        settings, run_task_worker, resident, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _send(resident)
    assert DBTaskResult.objects.count() == 0  # not even queued before commit
    for callback in callbacks:
        callback()
    assert DBTaskResult.objects.count() == 1 and mail.outbox == []
    run_task_worker()
    assert len(mail.outbox) == 1


def test_an_email_is_sent_once_even_if_the_task_runs_twice(resident, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        (notification,) = _send(resident)
    notification_email.call(notification.pk)
    assert len(mail.outbox) == 1


def test_inactive_users_get_nothing(resident):
    resident.is_active = False
    assert notification_send(recipients=[resident], verb="x", title="t") == []
