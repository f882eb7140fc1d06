"""Background work of the notification pipeline. Runs on the task queue (`manage.py db_worker`).

A delivery that fails (the mail server is down) is logged and queued again later, up to MAX_ATTEMPTS
times, then given up with an error in the log; its task result is marked failed, with the traceback, for
the operators.
"""

import logging
from datetime import timedelta

from django.utils import timezone
from django_tasks import task

logger = logging.getLogger("concerto.notifications")
MAX_ATTEMPTS = 4


def _again(task_, args: tuple, attempt: int, error: Exception) -> None:
    """Queue TASK_ once more (later, when the backend can wait), unless it was the last attempt."""
    if attempt >= MAX_ATTEMPTS:
        logger.error("Delivery given up after %s attempts: %s%r: %s", attempt, task_.name, args, error)
        return
    logger.warning("Delivery failed (attempt %s of %s), tried again: %s%r: %s", attempt, MAX_ATTEMPTS,
                   task_.name, args, error)
    if task_.get_backend().supports_defer:
        task_ = task_.using(run_after=timezone.now() + timedelta(minutes=5 * 2 ** (attempt - 1)))
    task_.enqueue(*args, attempt=attempt + 1)


@task()
def notification_deliver(channel: str, user_id: int, notice: dict, attempt: int = 1) -> bool:
    """Deliver NOTICE (see notifications.notification_send) to one person on CHANNEL."""
    from django.contrib.auth import get_user_model

    from concerto.core.participation.notifications import channel_get

    adapter = channel_get(channel)
    recipient = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if adapter is None or adapter.deliver is None or recipient is None:
        return False
    try:
        return adapter.deliver(recipient, notice)
    except Exception as error:
        _again(notification_deliver, (channel, user_id, notice), attempt, error)
        raise


@task()
def notification_email(notification_id: int) -> bool:
    """The email copy of one stored notification (sent once, however many times this runs)."""
    from concerto.core.participation.models import Notification
    from concerto.core.participation.notifications import channel_get

    notification = Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    if notification is None:
        return False
    notice = {"verb": notification.verb, "title": notification.title, "body": notification.body,
              "url": notification.url, "data": {}, "notification": notification.pk}
    return channel_get("email").deliver(notification.recipient, notice)


@task()
def mail_deliver(address: str, subject: str, body: str, attempt: int = 1) -> bool:
    """A plain email to someone without an account (see notifications.mail_send)."""
    from django.core.mail import EmailMessage

    try:
        EmailMessage(subject, body, None, [address]).send()
    except Exception as error:
        _again(mail_deliver, (address, subject, body), attempt, error)
        raise
    return True
