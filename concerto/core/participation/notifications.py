"""The notification pipeline: one way to tell people something, for the kernel and every component.

`notification_send(recipients=..., verb=..., title=...)` is called inside the service's transaction. For
each person it reads, in one place (`channels_for`), which channels this kind of notification (its verb)
goes to and which of them the person turned off (NotificationPreference). The "site" channel is the stored
row (the notifications page), created in the transaction; every other channel (email; push and chat
later) is a delivery adapter run by the task queue's worker once the transaction commits, so a rolled-back
change sends nothing and a failing delivery is logged and tried again by the worker
(`notification_deliver`, below), never in the web request.

A channel is a `DeliveryChannel` registered with `channel_register`: a name, a label for the preferences
page and a function(recipient, notice) -> bool that delivers one notice (raise to have it tried again).
An opt-in channel (web push, push.py) is offered for every kind, off unless the kind lists it or the person
turned it on (a NotificationPreference with enabled=True), while `available()` says so (push: keys are set),
and reaches only the people `reachable(user_ids)` returns (push: those with a subscribed device).
A component declares the kinds it sends in its manifest (`registry.NotificationKind`): their label, their
channels, and for the email a function writing a richer message than the plain one (events attach the
event as an .ics file). People without an account (a report sent with an email address only) get a plain
email through `mail_send`, queued the same way.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from concerto.core import registry
from concerto.core.participation.models import Notification, NotificationPreference
from concerto.core.registry import NotificationKind

logger = logging.getLogger("concerto.notifications")
MAX_ATTEMPTS = 4  # deliveries of one notice, the first included (see _again)
SITE = "site"
EMAIL = "email"
NEWSLETTER = "participation.newsletter"  # the organisations' newsletters (newsletters.py), by email only
# The communes' invitations to take part (core/mobilisation/campaigns.py): by email or push, off until turned on.
CAMPAIGN = "mobilisation.campaign"


@dataclass(frozen=True)
class DeliveryChannel:
    """Where a notification can go. DELIVER (run by the worker) sends one notice to one person and says
    whether it did; None for the site channel, whose delivery is the stored row."""

    name: str
    label: Any
    deliver: Callable | None = None
    opt_in: bool = False
    available: Callable[[], bool] | None = None
    reachable: Callable[[list[int]], set[int]] | None = None
    # When set, the channel is offered only for these kinds (the chat channels' SMS and chat, for campaigns only).
    verbs: tuple[str, ...] = ()

    def is_available(self) -> bool:
        return self.available is None or self.available()


_channels: dict[str, DeliveryChannel] = {}


def channel_register(channel: DeliveryChannel) -> DeliveryChannel:
    _channels[channel.name] = channel
    return channel


def channel_get(name: str) -> DeliveryChannel | None:
    return _channels.get(name)


def channels() -> list[DeliveryChannel]:
    return list(_channels.values())


# The kernel's own kinds; the components' come from their manifests.
KERNEL_KINDS = (
    NotificationKind("comment.replied", gettext_lazy("Replies to my comments")),
    # core/accountability: decisions that answer my contributions, and the actions that carry them out.
    NotificationKind("accountability.answered", gettext_lazy("Decisions that answer my contributions"), fate=True),
    NotificationKind("accountability.action_stage",
                     gettext_lazy("Progress of the actions decided on my contributions"), fate=True),
    NotificationKind("account.deletion_warning", gettext_lazy("Before my account is deleted for inactivity"),
                     channels=("email",),
                     because=gettext_lazy("You get this email because you have not signed in for a long time: "
                                          "accounts nobody uses are deleted, as the law on personal data asks.")),
    NotificationKind(NEWSLETTER, gettext_lazy("Newsletters of the communes, spaces, topics and places I follow"),
                     channels=(EMAIL,), opt_in_channels=False),
    NotificationKind(CAMPAIGN, gettext_lazy("Invitations from my commune to take part"), channels=(EMAIL,),
                     opt_in=True),
)


def kinds() -> list[NotificationKind]:
    """Every declared kind of notification (for the preferences page)."""
    return [*KERNEL_KINDS, *(kind for manifest in registry.components() for kind in manifest.notifications)]


def fate_verbs() -> list[str]:
    """The verbs of the kinds that tell what became of a person's contributions (`NotificationKind.fate`)."""
    return [kind.verb for kind in kinds() if kind.fate]


def kind_of(verb: str) -> NotificationKind:
    """VERB's declared kind; a verb nobody declared goes to the site and by email, with the plain email."""
    for kind in kinds():
        if kind.verb == verb:
            return kind
    return NotificationKind(verb, verb)


def offered(kind: NotificationKind) -> list[str]:
    """The channels a person may choose for KIND: the kind's own, then every available opt-in channel."""
    names = [name for name in kind.channels if name in _channels and _channels[name].is_available()]
    if not kind.opt_in_channels:
        return names
    return names + [channel.name for channel in _channels.values()
                    if channel.opt_in and channel.name not in names and channel.is_available()
                    and (not channel.verbs or kind.verb in channel.verbs)]


def channels_for(*, users, kind: NotificationKind) -> dict[int, list[str]]:
    """user id -> the channels KIND goes to for that user: the kind's channels less those the user turned
    off, plus the opt-in channels the user turned on. The one place where preferences apply."""
    ids = [user.pk for user in users]
    choices = dict(((user_id, name), enabled) for user_id, name, enabled in NotificationPreference.objects.filter(
        user__in=ids, verb=kind.verb).values_list("user_id", "channel", "enabled"))
    chosen = {user_id: [name for name in offered(kind) if choices.get((user_id, name), kind.default_on(name))]
              for user_id in ids}
    for channel in _channels.values():
        wanting = [user_id for user_id in ids if channel.name in chosen[user_id]]
        if channel.reachable is not None and wanting:
            reached = channel.reachable(wanting)
            for user_id in wanting:
                if user_id not in reached:
                    chosen[user_id].remove(channel.name)
    return chosen


def notification_send(*, recipients, verb: str, title: str, body: str = "", url: str = "",
                      data: dict | None = None) -> list[Notification]:
    """Tell RECIPIENTS (accounts; inactive ones and None are left out, each person once) about VERB.

    Call it inside the transaction of the change: the site rows are created now, the other channels are
    queued once it commits. DATA (JSON values) is handed to the kind's email writer. Write TITLE and BODY
    in the site's language. Returns the site rows created."""
    kind = kind_of(verb)
    people = list({user.pk: user for user in recipients if user is not None and user.is_active}.values())
    if not people:
        return []
    chosen = channels_for(users=people, kind=kind)
    rows = Notification.objects.bulk_create(
        [Notification(recipient=user, verb=verb, title=title[:300], body=body, url=url)
         for user in people if SITE in chosen[user.pk]])
    # SQLite 3.35+ and PostgreSQL both return the new ids from bulk_create.
    row_of = {row.recipient_id: row.pk for row in rows}
    for user in people:
        for name in chosen[user.pk]:
            if name == SITE:
                continue
            notice = {"verb": verb, "title": title[:300], "body": body, "url": url, "data": data or {},
                      "notification": row_of.get(user.pk)}
            transaction.on_commit(lambda name=name, uid=user.pk, notice=notice: _enqueue(name, uid, notice))
    return rows


def _enqueue(channel: str, user_id: int, notice: dict) -> None:
    notification_deliver.enqueue(channel, user_id, notice)


def notification_preference_set(*, user, verb: str, channel: str, enabled: bool) -> NotificationPreference:
    """USER wants (ENABLED) or no longer wants notifications of kind VERB on CHANNEL."""
    preference, _created = NotificationPreference.objects.update_or_create(
        user=user, verb=verb, channel=channel, defaults={"enabled": bool(enabled)})
    return preference


@transaction.atomic
def notification_preferences_save(*, user, wanted) -> None:
    """USER's choices from the preferences page: WANTED holds the (verb, channel) pairs they want, among the
    declared kinds; every other pair of a declared kind is turned off."""
    wanted = set(wanted)
    for kind, choices in notification_preferences(user):
        for name in choices:
            if ((kind.verb, name) in wanted) == kind.default_on(name):  # the kind's default: no row
                NotificationPreference.objects.filter(user=user, verb=kind.verb, channel=name).delete()
            else:
                notification_preference_set(user=user, verb=kind.verb, channel=name,
                                            enabled=(kind.verb, name) in wanted)


def notification_preferences(user) -> list[tuple[NotificationKind, dict[str, bool]]]:
    """For the preferences page: each declared kind with, per channel offered, whether USER gets it."""
    choices = {(verb, name): enabled for verb, name, enabled
               in NotificationPreference.objects.filter(user=user).values_list("verb", "channel", "enabled")}
    return [(kind, {name: choices.get((kind.verb, name), kind.default_on(name)) for name in offered(kind)})
            for kind in kinds()]


def mail_send(*, addresses, subject: str, body: str) -> None:
    """A plain email to each of ADDRESSES (people without an account), one message each so that nobody
    sees the others' addresses, queued once the transaction commits."""
    for address in sorted({address.strip().lower() for address in addresses if address and address.strip()}):
        transaction.on_commit(lambda address=address: mail_deliver.enqueue(address, subject, body))


# The email channel --------------------------------------------------------------------------------------

def absolute_url(url: str) -> str:
    return settings.SITE_URL.rstrip("/") + url if url.startswith("/") else url


def plain_email(recipient, notice: dict, kind: NotificationKind) -> EmailMessage:
    """The email copy of a notice: greeting, title, body, link, and why the person gets it."""
    # A worker has no request, hence no active language: the email is written in the site's language.
    with translation.override(settings.LANGUAGE_CODE):
        parts = [_("Hello,"), notice["title"]]
        if notice["body"]:
            parts.append(notice["body"])
        if notice["url"]:
            parts.append(_("Read more: %(url)s") % {"url": absolute_url(notice["url"])})
        because = kind.because if kind.because is not None else _(
            "You get this email because you follow this page on Concerto. To stop, open the page and choose "
            "“Stop following”.")
        if because:
            parts.append(str(because))
        return EmailMessage(notice["title"], "\n\n".join(parts), None, [recipient.email])


def _email_deliver(recipient, notice: dict) -> bool:
    notification_id = notice.get("notification")
    if notification_id and not Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).exists():
        return False  # already sent: a task run twice sends one email
    if not recipient.email:
        return False
    kind = kind_of(notice["verb"])
    if kind.email:
        with translation.override(settings.LANGUAGE_CODE):
            message = import_string(kind.email)(recipient, notice)
    else:
        message = plain_email(recipient, notice, kind)
    if message is None:
        return False
    message.send()  # a failure raises: the worker logs it and tries again
    if notification_id:
        Notification.objects.filter(pk=notification_id).update(emailed_at=timezone.now())
    return True


channel_register(DeliveryChannel(SITE, gettext_lazy("On the site")))
channel_register(DeliveryChannel(EMAIL, gettext_lazy("By email"), deliver=_email_deliver))


# The worker's side (`manage.py db_worker`) ------------------------------------------------------------
# A delivery that fails (the mail server is down) is logged and queued again later, up to MAX_ATTEMPTS
# times, then given up with an error in the log; its task result is marked failed, with the traceback.

def _again(task_, args: tuple, attempt: int, error: Exception) -> None:
    """Queue TASK_ once more (later, when the backend can wait), unless it was the last attempt."""
    # The task's name and the error only: its arguments hold an email address or a notice (personal data,
    # kept in the task result for 30 days, not in logs kept longer).
    if attempt >= MAX_ATTEMPTS:
        logger.error("Delivery given up after %s attempts: %s: %s", attempt, task_.name, error,
                     extra={"task": task_.name, "attempt": attempt})
        return
    logger.warning("Delivery failed (attempt %s of %s), tried again: %s: %s", attempt, MAX_ATTEMPTS,
                   task_.name, error, extra={"task": task_.name, "attempt": attempt})
    if task_.get_backend().supports_defer:
        task_ = task_.using(run_after=timezone.now() + timedelta(minutes=5 * 2 ** (attempt - 1)))
    task_.enqueue(*args, attempt=attempt + 1)


@task()
def notification_deliver(channel: str, user_id: int, notice: dict, attempt: int = 1) -> bool:
    """Deliver NOTICE (see notification_send) to one person on CHANNEL."""
    from django.contrib.auth import get_user_model

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
    notification = Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    if notification is None:
        return False
    notice = {"verb": notification.verb, "title": notification.title, "body": notification.body,
              "url": notification.url, "data": {}, "notification": notification.pk}
    return channel_get("email").deliver(notification.recipient, notice)


@task()
def mail_deliver(address: str, subject: str, body: str, attempt: int = 1) -> bool:
    """A plain email to someone without an account (see mail_send)."""
    try:
        EmailMessage(subject, body, None, [address]).send()
    except Exception as error:
        _again(mail_deliver, (address, subject, body), attempt, error)
        raise
    return True
