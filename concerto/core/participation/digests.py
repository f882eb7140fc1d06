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
from collections import OrderedDict, defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from django_tasks import task

from concerto.core import registry
from concerto.core.audit.services import audit_record
from concerto.core.participation.bounces import email_deliverable_filter
from concerto.core.participation.feed import feed_newest
from concerto.core.participation.models import (
    DigestSentCount,
    DigestSubscription,
    FeedEntry,
    Follow,
    FollowedPlace,
    Notification,
)
from concerto.core.participation.notifications import absolute_url, fate_verbs
from concerto.core.registry import PeriodicJob
from concerto.core.territory.models import Organisation

logger = logging.getLogger("concerto.digests")
DIGEST_ENTRIES = 20
BATCH = 2000  # people a task: those who follow the same things in one batch share its readings
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
    return digests_send(subscription_ids=subscription_ids, period=period)


def digests_send(*, subscription_ids: list[int], period: str, now: datetime | None = None) -> int:
    """Send the digests of SUBSCRIPTION_IDS for PERIOD over one mail connection; returns how many went.

    What people share is built once: their subscriptions, follows and places are read in three queries, the feed
    of each distinct set of followed things once (the followers of one commune read the same entries), the
    components' sections in a few queries for the whole batch (`digest_section` takes the batch), and each
    distinct email is rendered once (`_render`). Then, person by person, in its own transaction, the period is
    claimed with a conditional UPDATE and the email is sent: a period already claimed (another clock, a task run
    twice) sends nothing, a send that raises rolls its claim back, a worker killed in the middle leaves the rest
    unclaimed for the next run."""
    now = now or timezone.now()
    subscriptions = list(DigestSubscription.objects.filter(pk__in=subscription_ids).exclude(frequency=Frequency.NONE)
                         .exclude(last_sent_period=period).order_by("pk"))
    if not subscriptions:
        return 0
    # The people apart, not joined: SQLite's planner walked the whole user table for a join of 500 ids.
    users = get_user_model().objects.in_bulk([subscription.user_id for subscription in subscriptions])
    for subscription in subscriptions:
        subscription.user = users[subscription.user_id]
    people = [(subscription.user, _since(subscription, now)) for subscription in subscriptions]
    sent, connection = 0, get_connection()
    # A worker has no request, hence no active language: the emails are written in the site's language.
    with translation.override(settings.LANGUAGE_CODE):
        contents = digest_contents(people)
        links = digest_links()
        try:
            _commits_unflushed(True)
            connection.open()  # kept open for the batch: EmailMessage.send closes only a connection it opened
            for subscription in subscriptions:
                try:
                    sent += _deliver(subscription, period=period, now=now, content=contents[subscription.user_id],
                                     links=links, connection=connection)
                except Exception as error:  # the mail server: the claim is rolled back, the next run tries again
                    logger.warning("Digest not sent: %s", error, extra={"subscription": subscription.pk})
                    connection.close()  # a broken connection: a new one for the next person
                    connection.open()
        finally:
            connection.close()
            _commits_unflushed(False)
    return sent


def _commits_unflushed(on: bool) -> None:
    """On PostgreSQL, for the batch, the claims' commits do not wait for the disk (`synchronous_commit`): a crash
    of the database in the next fraction of a second may lose a claim, and that person would get this digest
    again (as when a worker is killed between the send and the commit). Waiting made one flush per email."""
    if db_connection.vendor == "postgresql" and not db_connection.in_atomic_block:
        with db_connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO OFF" if on else "RESET synchronous_commit")


def _since(subscription: DigestSubscription, now: datetime) -> datetime:
    length = timedelta(days=1 if subscription.frequency == Frequency.DAILY else 7)
    return subscription.last_sent_at or (now - length)


def _claim_sql() -> tuple[str, str]:
    """The claim's UPDATE, written once (the ORM spent longer composing it a hundred thousand times than the
    database running it): for a subscription not sent since the batch read it (last_sent_at NULL, or equal)."""
    table = DigestSubscription._meta.db_table
    update = (f"UPDATE {table} SET last_sent_period = %s, last_sent_at = %s "
              f"WHERE id = %s AND frequency = %s AND last_sent_period <> %s AND ")
    return update + "last_sent_at IS NULL", update + "last_sent_at = %s"


def _deliver(subscription: DigestSubscription, *, period: str, now: datetime, content: dict, links: dict,
             connection) -> bool:
    ops = db_connection.ops
    first, again = _claim_sql()
    params = [period, ops.adapt_datetimefield_value(now), subscription.pk, subscription.frequency, period]
    if subscription.last_sent_at is not None:
        params.append(ops.adapt_datetimefield_value(subscription.last_sent_at))
    with transaction.atomic(), db_connection.cursor() as cursor:
        # The claim: only if nobody changed the subscription since the batch read it (frequency, last sending).
        cursor.execute(first if subscription.last_sent_at is None else again, params)
        if cursor.rowcount != 1:
            return False
        message = digest_message(subscription=subscription, content=content, links=links)
        if message is None:
            return False
        message.connection = connection  # one connection for the batch (EmailMessage.send uses it)
        message.send()  # raises: the transaction rolls the claim back
        digest_sent_count(organisation_ids=content["organisations"], day=timezone.localtime(now).date())
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


def digest_contents(people) -> dict:
    """What is new for each of PEOPLE, (user, since) pairs: {user id: {"entries": the feed's entries newer than
    SINCE as (title, url, summary, organisation) (at most DIGEST_ENTRIES), "more": how many more, "more_beyond":
    whether there may be more still, "sections": the components' sections as (label, ((title, url, text), …)),
    "key": all of it, to find an email already rendered}}. People who follow the same things, since the same
    moment, with no section of their own, share one content.

    The feed is read once per distinct set of followed things and places (`feed.feed_newest`, newest
    2 × DIGEST_ENTRIES, as `feed_page` would for each of them), its entries in one query for all."""
    users = [user for user, _since in people]
    follows, places = defaultdict(list), defaultdict(list)
    for user_id, type_id, target_id in (Follow.objects.filter(user__in=users).order_by("pk")
                                        .values_list("user_id", "target_type_id", "target_id")):
        follows[user_id].append((type_id, target_id))
    for place in FollowedPlace.objects.filter(user__in=users).order_by("pk"):
        places[place.user_id].append(place)
    keys, readings = {}, {}
    for user in users:
        key = (frozenset(follows[user.pk]),
               frozenset((place.latitude, place.longitude, place.radius) for place in places[user.pk]))
        keys[user.pk] = key
        if key not in readings:
            readings[key] = feed_newest(follows[user.pk], places[user.pk], size=DIGEST_ENTRIES * 2)
    lines, rows = {}, []  # entry id -> (published_at, the entry as the email shows it)
    wanted = sorted({entry_id for newest, _more in readings.values() for _at, entry_id in newest})
    for start in range(0, len(wanted), 900):  # SQLite's parameters; the organisations' names apart (no join)
        rows += FeedEntry.objects.filter(pk__in=wanted[start:start + 900]).values_list(
            "pk", "published_at", "title", "url", "summary", "organisation_id")
    names = dict(Organisation.objects.filter(pk__in={row[-1] for row in rows}).values_list("pk", "name"))
    for entry_id, published_at, title, url, summary, organisation_id in rows:
        lines[entry_id] = (published_at, (title, absolute_url(url), summary, names.get(organisation_id)),
                           organisation_id)
    hooks = [(_("What became of your contributions"), digest_fates(people))]
    hooks += [(str(manifest.label), manifest.digest_section(people)) for manifest in registry.components()
              if manifest.digest_section is not None]
    contents, shared = {}, {}
    for user, since in people:
        sections = tuple((label, tuple((title, absolute_url(url), text) for title, url, text in found[user.pk]))
                         for label, found in hooks if found.get(user.pk))
        share = (keys[user.pk], since, sections)
        if share not in shared:
            newest, more = readings[keys[user.pk]]
            entries = [lines[entry_id] for _at, entry_id in newest if entry_id in lines]
            fresh = [(line, organisation_id) for published_at, line, organisation_id in entries
                     if published_at > since]
            content = {"entries": tuple(line for line, _organisation in fresh[:DIGEST_ENTRIES]),
                       "more": len(fresh) - DIGEST_ENTRIES if len(fresh) > DIGEST_ENTRIES else 0,
                       "more_beyond": more and len(fresh) == len(entries), "sections": sections,
                       # Whose news it carries, for the organisations' count of digests sent (not in the email).
                       "organisations": {organisation for _line, organisation in fresh[:DIGEST_ENTRIES]}}
            content["key"] = (content["entries"], content["more"], content["more_beyond"], sections)
            shared[share] = content
        contents[user.pk] = shared[share]
    return contents


def digest_fates(people, *, most: int = 10) -> dict:
    """{user id: [(title, url, text)]}: what became of the contributions of PEOPLE, (user, since) pairs, since
    their last digest: the notifications the site gave them of the kinds that say so (`NotificationKind.fate`:
    an answer, a merge, a change of status, a decision, an action's progress), newest first, MOST at most. The
    site's notifications are the record: a kind the person turned off on the site is not in their digest either.
    One query per 900 people."""
    verbs = fate_verbs()
    since_of = {user.pk: since for user, since in people}
    if not verbs or not since_of:
        return {}
    ids, oldest, found = sorted(since_of), min(since_of.values()), defaultdict(list)
    for start in range(0, len(ids), 900):  # SQLite's parameters
        rows = (Notification.objects.filter(recipient_id__in=ids[start:start + 900], verb__in=verbs,
                                             created_at__gt=oldest)
                .order_by("-created_at", "-pk").values_list("recipient_id", "created_at", "title", "url", "body"))
        for recipient_id, created_at, title, url, body in rows:
            if created_at > since_of[recipient_id] and len(found[recipient_id]) < most:
                found[recipient_id].append((title, url, body))
    return dict(found)


def digest_lines(people, candidates, *, concerns, line, most: int = 10) -> dict:
    """For the components' `digest_section` hooks: {user id: the LINE (title, url, text) of the first MOST of
    CANDIDATES (in the order to show) for which CONCERNS(user, since, candidate) holds}, for PEOPLE, (user, since)
    pairs. Each candidate's line is built once, whoever gets it; a person with none is left out."""
    lines, sections = {}, {}
    for user, since in people:
        mine = []
        for candidate in candidates:
            if not concerns(user, since, candidate):
                continue
            if candidate.pk not in lines:
                lines[candidate.pk] = line(candidate)
            mine.append(lines[candidate.pk])
            if len(mine) == most:
                break
        if mine:
            sections[user.pk] = mine
    return sections


# The rendered emails, by what they say: the followers of one commune with nothing else new get the same one.
# Keyed by the texts themselves (not ids), so an entry edited between two batches is rendered again. Bounded.
_RENDERED: OrderedDict = OrderedDict()
_RENDERED_MAX = 512
# Where each person's unsubscribe token goes in a shared rendering (no text of an entry can hold it: it holds
# characters neither URLs nor French use, and escaping leaves it as it is).
_TOKEN = "\x00token\x00"


def _render(context_key: tuple, context: dict) -> tuple[str, str]:
    rendered = _RENDERED.get(context_key)
    if rendered is None:
        rendered = (render_to_string("participation/digest_email.txt", context),
                    render_to_string("participation/digest_email.html", context))
        _RENDERED[context_key] = rendered
        if len(_RENDERED) > _RENDERED_MAX:
            _RENDERED.popitem(last=False)
    else:
        _RENDERED.move_to_end(context_key)
    return rendered


def digest_links() -> dict:
    """The addresses every digest holds (the unsubscribe one with a place for the person's token)."""
    return {"feed_url": absolute_url(reverse("feed")),
            "settings_url": absolute_url(reverse("accounts:notification_settings")),
            "unsubscribe_url": absolute_url(reverse("digest_unsubscribe", kwargs={"token": "TOKEN"})).replace(
                "TOKEN", _TOKEN)}


def digest_message(*, subscription: DigestSubscription, content: dict,
                   links: dict | None = None) -> EmailMultiAlternatives | None:
    """The email of CONTENT (from `digest_contents`) for SUBSCRIPTION, or None if nothing is new or the person
    has no address. LINKS: `digest_links()`, computed once for a batch. In the language active (the site's)."""
    user = subscription.user
    if not user.email or (not content["entries"] and not content["sections"]):
        return None
    daily = subscription.frequency == Frequency.DAILY
    links = links or digest_links()
    text, html = _render((daily, content["key"]), {**content, **links, "daily": daily})
    subject = _("What is new for you this week") if not daily else _("What is new for you today")
    unsubscribe = links["unsubscribe_url"].replace(_TOKEN, subscription.token)
    headers = unsubscribe_headers(unsubscribe, token=subscription.token)
    message = EmailMultiAlternatives(subject, text.replace(_TOKEN, subscription.token), None, [user.email],
                                     headers=headers)
    message.attach_alternative(html.replace(_TOKEN, escape(subscription.token)), "text/html")
    return message
