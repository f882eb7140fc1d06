"""The emails of registrations (with the event as an .ics file), written for the kernel's notification
pipeline: the manifest names `registration_email` as the email of the registration kinds, and the worker
calls it with the notice (whose data holds the registration's id) in the site's language."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils.translation import gettext as _

from concerto.components.events import ics
from concerto.core import french

# verb -> what happened to the registration
KINDS = {
    "events.registration_confirmed": "confirmed",
    "events.registration_waitlisted": "waitlisted",
    "events.promoted": "promoted",
    "events.reminder": "reminder",
}


def registration_email(recipient, notice: dict) -> EmailMessage | None:
    """The email of one registration, or None when it no longer applies (cancelled meanwhile: an outdated
    email would only mislead)."""
    from concerto.components.events.models import Registration

    kind = KINDS.get(notice["verb"])
    registration = Registration.objects.select_related(
        "event__component__space__organisation", "event__commune").filter(
        pk=notice["data"].get("registration"), user=recipient).first()
    if kind is None or registration is None:
        return None
    event = registration.event
    if kind in ("confirmed", "promoted", "reminder") and (
            registration.status != Registration.Status.CONFIRMED or event.cancelled_at is not None):
        return None
    space = event.component.space
    ticket = settings.SITE_URL.rstrip("/") + reverse("events:ticket", kwargs={
        "org_slug": space.organisation.slug, "space_slug": space.slug, "component_id": event.component_id,
        "event_id": event.pk})
    when = french.day_and_hour(event.starts_at)
    subject = {
        "confirmed": _("Your registration: %(title)s"),
        "waitlisted": _("You are on the waitlist: %(title)s"),
        "promoted": _("A place is free: you are registered to %(title)s"),
        "reminder": _("Tomorrow: %(title)s"),
    }[kind] % {"title": event.title}
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
    message = EmailMessage(subject, "\n\n".join(parts), None, [recipient.email])
    if kind != "waitlisted":
        confirmed = registration.status == Registration.Status.CONFIRMED
        document = ics.calendar([event], online_url_for={event.pk} if confirmed else set(), method="PUBLISH")
        message.attach("evenement.ics", document, "text/calendar; charset=utf-8")
    return message
