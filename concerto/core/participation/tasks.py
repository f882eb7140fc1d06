"""Background work for notifications. Runs on the task queue (`manage.py db_worker`)."""

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task


@task()
def notification_email(notification_id: int) -> bool:
    """Send the email copy of one notification; does nothing if it was already sent."""
    from concerto.core.participation.models import Notification

    notification = Notification.objects.select_related("recipient").filter(
        pk=notification_id, emailed_at__isnull=True
    ).first()
    if notification is None or not notification.recipient.email:
        return False
    url = notification.url
    if url.startswith("/"):
        url = settings.SITE_URL.rstrip("/") + url
    # A worker has no request, hence no active language: the email is written in the site's language.
    with translation.override(settings.LANGUAGE_CODE):
        parts = [_("Hello,"), notification.title]
        if notification.body:
            parts.append(notification.body)
        if url:
            parts.append(_("Read more: %(url)s") % {"url": url})
        parts.append(_("You get this email because you follow this page on Concerto. To stop, open the page "
                       "and choose “Stop following”."))
        send_mail(notification.title, "\n\n".join(parts), None, [notification.recipient.email])
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
    return True
