"""Email digests: once a day or once a week, what is new for a person (issue 15).

A person opts in on their notification settings page (`digest_subscription_set`); nobody gets one until then.
The periodic job `participation.digests` (hourly, `manage.py run_periodic`) walks the subscriptions not yet sent
for the current period (a day, or an ISO week) by keyset, 500 ids at a time, and queues one task per batch
(`digest_batch`). The worker claims each person's period with a conditional UPDATE (`last_sent_period` differs)
in a transaction that also sends the email: two clocks, or a batch queued twice, claim once; a send that fails
rolls the claim back, and a worker killed in the middle leaves the rest unclaimed for the next run.

The email holds the newest entries of the person's feed since their last digest (`feed.feed_page`, at most
DIGEST_ENTRIES, then "and N more" pointing to /mon-fil/) and what the components add through their manifest's
`digest_section` hook (open polls, answers to their questions). Nothing new: no email, the period is marked sent.
Every email carries RFC 8058 one-click unsubscribe headers and a link that works without signing in.
"""

import logging
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from concerto.core import registry
from concerto.core.audit.services import audit_record
from concerto.core.participation.bounces import email_deliverable_filter
from concerto.core.participation.feed import feed_page
from concerto.core.participation.models import DigestSentCount, DigestSubscription
from concerto.core.participation.notifications import absolute_url
from concerto.core.registry import PeriodicJob

logger = logging.getLogger("concerto.digests")
DIGEST_ENTRIES = 20
BATCH = 500
Frequency = DigestSubscription.Frequency


def period_of(frequency: str, now: datetime) -> str:
    """The period a digest of FREQUENCY sent at NOW belongs to: the local day, or the ISO week."""
    day = timezone.localtime(now).date()
    if frequency == Frequency.DAILY:
        return day.isoformat()
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def _new_token() -> str:
    return secrets.token_urlsafe(32)


@transaction.atomic
def digest_subscription_set(*, user, frequency: str) -> DigestSubscription:
    """USER wants a digest every day, every week, or none (FREQUENCY)."""
    if frequency not in Frequency.values:
        raise ValueError(frequency)
    subscription, created = DigestSubscription.objects.select_for_update().get_or_create(
        user=user, defaults={"token": _new_token(), "frequency": frequency})
    if not created and subscription.frequency != frequency:
        subscription.frequency = frequency
        subscription.save(update_fields=["frequency"])
    elif not created:
        return subscription
    audit_record(actor=user, action="participation.digest_set", target=user, data={"frequency": frequency})
    return subscription


def email_token(user) -> str:
    """USER's secret for the unsubscribe addresses of the emails they get in bulk (digests, newsletters): the
    token of their DigestSubscription, created without a digest (frequency none) if they have none."""
    subscription, _created = DigestSubscription.objects.get_or_create(
        user=user, defaults={"token": _new_token(), "frequency": Frequency.NONE})
    return subscription.token


def unsubscribe_headers(url: str, *, token: str = "") -> dict:
    """The RFC 8058 one-click unsubscribe headers of a bulk email (digests, newsletters) whose secret address
    is URL; with TOKEN, a mailto: too when CONCERTO_DIGEST_UNSUBSCRIBE_MAILTO is set."""
    headers = {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    mailto = getattr(settings, "CONCERTO_DIGEST_UNSUBSCRIBE_MAILTO", "")
    if mailto and token:
        headers["List-Unsubscribe"] += f", <mailto:{mailto}?subject=unsubscribe-{token}>"
    return headers


def digest_subscription_for(token: str) -> DigestSubscription | None:
    if not token or len(token) > 64:
        return None
    return DigestSubscription.objects.filter(token=token).select_related("user").first()


@transaction.atomic
def digest_unsubscribe(*, subscription: DigestSubscription) -> None:
    """Stop SUBSCRIPTION's digests (from the email's link or a mail client's one-click POST)."""
    updated = DigestSubscription.objects.filter(pk=subscription.pk).exclude(
        frequency=Frequency.NONE).update(frequency=Frequency.NONE)
    if updated:
        audit_record(actor=None, action="participation.digest_unsubscribed", target=subscription.user)


def _due(frequency: str, period: str):
    return email_deliverable_filter(
        DigestSubscription.objects.filter(frequency=frequency, user__is_active=True).exclude(last_sent_period=period),
        "user__email")


def digests_schedule(now: datetime) -> int:
    """The periodic job: queue one `digest_batch` task per BATCH subscriptions due this period (streamed by
    keyset: memory stays flat whatever their number). Returns how many batches it queued."""
    if timezone.localtime(now).hour < getattr(settings, "CONCERTO_DIGEST_HOUR", 7):
        return 0
    batches = 0
    for frequency in (Frequency.DAILY, Frequency.WEEKLY):
        period, last = period_of(frequency, now), 0
        while True:
            ids = list(_due(frequency, period).filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH])
            if not ids:
                break
            digest_batch.enqueue(ids, period)
            batches += 1
            last = ids[-1]
    return batches


JOB = PeriodicJob(name="participation.digests", every=60 * 60, run=digests_schedule)


@task()
def digest_batch(subscription_ids: list[int], period: str) -> int:
    """Send the digests of SUBSCRIPTION_IDS for PERIOD; a failed one is logged and left for the next run."""
    sent = 0
    for subscription_id in subscription_ids:
        try:
            sent += digest_deliver(subscription_id=subscription_id, period=period)
        except Exception as error:  # the mail server: the claim is rolled back, the next run tries again
            logger.warning("Digest not sent: %s", error, extra={"subscription": subscription_id})
    return sent


def digest_deliver(*, subscription_id: int, period: str, now: datetime | None = None) -> bool:
    """Claim PERIOD for one subscription and send its digest if anything is new. Returns whether an email went.
    A period already claimed (another clock, a task run twice) sends nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        subscription = DigestSubscription.objects.filter(pk=subscription_id).select_related("user").first()
        if subscription is None or subscription.frequency == Frequency.NONE:
            return False
        claimed = (DigestSubscription.objects.filter(pk=subscription_id, frequency=subscription.frequency)
                   .exclude(last_sent_period=period).update(last_sent_period=period, last_sent_at=now))
        if not claimed:
            return False
        length = timedelta(days=1 if subscription.frequency == Frequency.DAILY else 7)
        since = subscription.last_sent_at or (now - length)
        message = digest_email(subscription=subscription, since=since)
        if message is None:
            return False
        message.send()  # raises: the transaction rolls the claim back
        digest_sent_count(organisation_ids=message.concerto_organisations, day=timezone.localtime(now).date())
    return True


def digest_sent_count(*, organisation_ids, day) -> None:
    """One more digest sent on DAY for each of ORGANISATION_IDS (the dialogue figures): one row per organisation
    and day, raised by an UPDATE (a row is created once; two workers creating it at once both count)."""
    from django.db import IntegrityError
    from django.db.models import F

    for organisation_id in sorted(set(organisation_ids)):
        if DigestSentCount.objects.filter(organisation_id=organisation_id, day=day).update(count=F("count") + 1):
            continue
        try:
            with transaction.atomic():
                DigestSentCount.objects.create(organisation_id=organisation_id, day=day, count=1)
        except IntegrityError:  # another worker created it meanwhile
            DigestSentCount.objects.filter(organisation_id=organisation_id, day=day).update(count=F("count") + 1)


def digest_content(*, user, since: datetime) -> dict:
    """What is new for USER since SINCE: feed entries (at most DIGEST_ENTRIES, and how many more) and the
    components' sections, as (label, [(title, url, text)])."""
    page = feed_page(user=user, size=DIGEST_ENTRIES * 2)
    fresh = [entry for entry in page.entries if entry.published_at > since]
    sections = []
    for manifest in registry.components():
        if manifest.digest_section is not None:
            items = manifest.digest_section(user, since)
            if items:
                sections.append((manifest.label, items))
    return {"entries": fresh[:DIGEST_ENTRIES], "more": len(fresh) - DIGEST_ENTRIES if len(fresh) > DIGEST_ENTRIES
            else 0, "more_beyond": bool(page.next_cursor) and len(fresh) == len(page.entries),
            "sections": sections}


def digest_email(*, subscription: DigestSubscription, since: datetime) -> EmailMultiAlternatives | None:
    """The digest email of SUBSCRIPTION (text and HTML, with the unsubscribe headers), or None if nothing is new
    or the person has no address."""
    user = subscription.user
    if not user.email:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        content = digest_content(user=user, since=since)
        if not content["entries"] and not content["sections"]:
            return None
        unsubscribe = absolute_url(reverse("digest_unsubscribe", kwargs={"token": subscription.token}))
        context = {"entries": [(entry.title, absolute_url(entry.url), entry.summary, entry.organisation.name)
                               for entry in content["entries"]],
                   "sections": [(label, [(title, absolute_url(url), text) for title, url, text in items])
                                for label, items in content["sections"]],
                   "more": content["more"], "more_beyond": content["more_beyond"],
                   "feed_url": absolute_url(reverse("feed")), "unsubscribe_url": unsubscribe,
                   "settings_url": absolute_url(reverse("accounts:notification_settings")),
                   "daily": subscription.frequency == Frequency.DAILY}
        subject = _("What is new for you this week") if not context["daily"] else _("What is new for you today")
        headers = unsubscribe_headers(unsubscribe, token=subscription.token)
        message = EmailMultiAlternatives(subject, render_to_string("participation/digest_email.txt", context),
                                         None, [user.email], headers=headers)
        message.attach_alternative(render_to_string("participation/digest_email.html", context), "text/html")
    # Whose news it carried, for the organisations' count of digests sent (not part of the email).
    message.concerto_organisations = [entry.organisation.pk for entry in content["entries"]]
    return message
