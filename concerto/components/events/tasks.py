"""Background work of events: registration emails (with the event as an .ics file) and the reminders of
the day before. Runs on the task queue (`manage.py db_worker`); `manage.py send_event_reminders` runs the
reminders from cron."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from concerto.components.events import ics


def _absolute(url: str) -> str:
    return settings.SITE_URL.rstrip("/") + url


@task()
def registration_email(registration_id: int, kind: str) -> bool:
    """The email of one registration: KIND is confirmed, waitlisted, promoted or reminder."""
    from django.urls import reverse

    from concerto.components.events.models import Registration

    registration = Registration.objects.select_related(
        "user", "event__component__space__organisation", "event__commune").filter(pk=registration_id).first()
    if registration is None or registration.user is None or not registration.user.email:
        return False
    event = registration.event
    if kind in ("confirmed", "promoted", "reminder") and (
            registration.status != Registration.Status.CONFIRMED or event.cancelled_at is not None):
        return False  # cancelled meanwhile: an outdated email would only mislead
    space = event.component.space
    ticket = _absolute(reverse("events:ticket", kwargs={
        "org_slug": space.organisation.slug, "space_slug": space.slug, "component_id": event.component_id,
        "event_id": event.pk}))
    from django.utils.formats import date_format

    with translation.override(settings.LANGUAGE_CODE):
        when = date_format(timezone.localtime(event.starts_at), "l j F Y, H:i")
        subjects = {
            "confirmed": _("Your registration: %(title)s"),
            "waitlisted": _("You are on the waitlist: %(title)s"),
            "promoted": _("A place is free: you are registered to %(title)s"),
            "reminder": _("Tomorrow: %(title)s"),
        }
        if kind not in subjects:
            return False
        subject = subjects[kind] % {"title": event.title}
        intro = {
            "confirmed": _("Your registration is confirmed."),
            "waitlisted": _("The event is full: you are on the waitlist. If a place frees up, it will be yours "
                            "in the order of registration, and we will write to you."),
            "promoted": _("A place freed up: your registration is now confirmed."),
            "reminder": _("A reminder: the event is soon."),
        }[kind]
        parts = [_("Hello,"), intro, f"{event.title}\n{when}"]
        place = ", ".join(p for p in (event.place_name, event.address) if p)
        if place and event.format != "online":
            parts.append(_("Place: %(place)s") % {"place": place})
        if kind != "waitlisted":
            parts.append(_("Your check-in code: %(code)s") % {"code": registration.code})
        parts.append(_("Your ticket, its QR code and the way to cancel: %(url)s") % {"url": ticket})
        parts.append(_("If you cannot come, please cancel: your place will go to someone on the waitlist."))
        message = EmailMessage(subject, "\n\n".join(parts), None, [registration.user.email])
        if kind != "waitlisted":
            confirmed = registration.status == Registration.Status.CONFIRMED
            document = ics.calendar([event], online_url_for={event.pk} if confirmed else set(), method="PUBLISH")
            message.attach("evenement.ics", document, "text/calendar; charset=utf-8")
    message.send()
    return True


@task()
def notice_email(user_id: int, title: str, body: str, url: str) -> bool:
    """A plain email about an event (e.g. its cancellation) to one person."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        parts = [_("Hello,"), title]
        if body:
            parts.append(body)
        if url:
            parts.append(_("Read more: %(url)s") % {"url": _absolute(url) if url.startswith("/") else url})
        EmailMessage(title, "\n\n".join(parts), None, [user.email]).send()
    return True


@task()
def reminders(now_iso: str = "") -> int:
    """Queue the reminders due (see services.reminders_send)."""
    from datetime import datetime

    from concerto.components.events import services

    return services.reminders_send(now=datetime.fromisoformat(now_iso) if now_iso else None)
