"""Background work for notifications. Runs on the task queue (`manage.py db_worker`)."""

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation
from django_tasks import task


@task()
def notification_email(notification_id: int) -> bool:
    """Send the email copy of one notification; does nothing if it was already sent."""
    from concerto.core.participation.models import Notification

    notification = Notification.objects.select_related("recipient").filter(
        pk=notification_id, emailed_at__isnull=True
    ).first()
    if notification is None:
        return False
    url = notification.url
    if url.startswith("/"):
        url = settings.SITE_URL.rstrip("/") + url
    with translation.override(settings.LANGUAGE_CODE):
        body = notification.body + ("\n\n" + url if url else "")
        send_mail(notification.title, body, None, [notification.recipient.email])
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
    return True
