"""Messages to a commune's news subscribers: who can be reached on each platform, and the worker's batches.

Two things go to subscribers: a news post of the commune just published (`news_announce`, queued when the kernel's
`item_published` signal fires) and a broadcast an agent writes in the back-office (`services.broadcast_send`).
Both are `Broadcast` rows whose audience is read by `audience` with each platform's rules:

- Messenger: only within the 24-hour window after the person's last message (`messaging_type: UPDATE`). Meta's
  message tags (CONFIRMED_EVENT_UPDATE, POST_PURCHASE_UPDATE, ACCOUNT_UPDATE, HUMAN_AGENT) are for one person's own
  event, purchase, account or an agent's answer within 7 days: news and announcements to many are none of
  these, and Meta forbids tags for them, so people silent for more than 24 hours are counted as not reachable.
- Telegram: always (a bot may write to anyone who started it and did not block it).
- SMS: a marketing-like message, so it ends with « STOP au <number> » and goes only from 8:00 to 20:30, Monday to
  Saturday, except public holidays (the French operators' code of practice for SMS marketing, FFT/AF2M); at
  other times the broadcast is marked `sms_held` and its text messages wait: the periodic job `sms_held_send`
  sends them at the next time allowed (to the SMS subscribers of that moment), or drops them after HOLD_MAX
  (old news is no news).
- Web chat: the message is stored in the person's conversation and shown at their next visit (no sender).

The people reached are sent to in batches of BATCH by the worker (`broadcast_batch`), each message through the
transport's own send task (called in the batch, so the count is known), whose `deliver` retries a 5xx or a
timeout later; `sent` counts the people whose messages all went out at once, `failed` the others.
"""

import logging
from datetime import date, datetime, time, timedelta
from importlib import import_module
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from concerto.channels.models import Broadcast, ChatSubscription, Message, Participant, Platform
from concerto.core.registry import ChatStep, PeriodicJob

logger = logging.getLogger("concerto.channels.broadcasts")

BATCH = 100
PARIS = ZoneInfo("Europe/Paris")
SMS_HOURS = (time(8, 0), time(20, 30))
MESSENGER_WINDOW = timedelta(hours=24)
HOLD_MAX = timedelta(days=4)  # Saturday evening to the Tuesday morning after an Easter Monday, and a margin

REASONS = {
    "window": gettext_lazy("Messenger: silent for more than 24 hours (Meta lets a page write only within 24 hours "
                           "of the person's last message; no message tag applies to news)"),
    "quiet_hours": gettext_lazy("Text messages: held until the next morning they may go (none are sent from "
                                "20:30 to 8:00, on Sundays or on public holidays), then sent at 8:00"),
    "disconnected": gettext_lazy("The commune's page, bot or number for this platform is disconnected"),
}


def _easter(year: int) -> date:
    """Gregorian Easter Sunday (anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 19 * ell) // 433
    month = (h + ell - 7 * m + 90) // 25
    return date(year, month, (h + ell - 7 * m + 33 * month + 19) % 32)


def public_holiday(day: date) -> bool:
    """A French public holiday (metropolitan France)."""
    if (day.month, day.day) in {(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)}:
        return True
    easter = _easter(day.year)
    return day in {easter + timedelta(days=1), easter + timedelta(days=39), easter + timedelta(days=50)}


def sms_allowed(now: datetime | None = None) -> bool:
    """Whether a marketing-like text message may go now (Paris time)."""
    local = (now or timezone.now()).astimezone(PARIS)
    return (local.weekday() != 6 and not public_holiday(local.date())
            and SMS_HOURS[0] <= local.time() < SMS_HOURS[1])


def sms_next_allowed(now: datetime | None = None) -> datetime:
    """The first moment from NOW on when a marketing-like text message may go (NOW itself when it may)."""
    now = now or timezone.now()
    if sms_allowed(now):
        return now
    day = now.astimezone(PARIS).date()
    if now.astimezone(PARIS).time() >= SMS_HOURS[0]:
        day += timedelta(days=1)
    while not sms_allowed(datetime.combine(day, SMS_HOURS[0], tzinfo=PARIS)):
        day += timedelta(days=1)
    return datetime.combine(day, SMS_HOURS[0], tzinfo=PARIS)


def sms_held_send(now: datetime | None = None) -> int:
    """The periodic job: when text messages may go, send those of the broadcasts held since the night (to their
    organisation's SMS subscribers on the broadcast's topics who can be reached now), once each, even with two
    clocks (the flag is taken by one UPDATE). Held longer than HOLD_MAX: dropped. Returns how many were queued."""
    now = now or timezone.now()
    if not sms_allowed(now):
        return 0
    queued = 0
    for broadcast in Broadcast.objects.filter(sms_held=True).select_related("organisation").order_by("pk"):
        with transaction.atomic():
            if not Broadcast.objects.filter(pk=broadcast.pk, sms_held=True).update(sms_held=False):
                continue  # another clock took it
            if now - broadcast.created_at > HOLD_MAX:
                logger.warning("Held text messages of a broadcast dropped: too old", extra={"broadcast": broadcast.pk})
                continue
            topic_ids = list(broadcast.topics.values_list("pk", flat=True))
            reached, _unreachable = audience(broadcast.organisation, topic_ids, now)
            sms = {Platform.SMS: reached.get(Platform.SMS, [])}
            counts = dict(broadcast.reached)
            counts[Platform.SMS] = counts.get(Platform.SMS, 0) + len(sms[Platform.SMS])
            unreachable = {reason: count for reason, count in broadcast.unreachable.items() if reason != "quiet_hours"}
            Broadcast.objects.filter(pk=broadcast.pk).update(reached=counts, unreachable=unreachable)
            batches_queue(broadcast, sms)
            queued += len(sms[Platform.SMS])
    return queued


SMS_HELD_JOB = PeriodicJob(name="channels.sms_held_send", every=300, run=sms_held_send)


def unreachable_reason(participant: Participant, now: datetime | None = None) -> str:
    """Why a message cannot go to PARTICIPANT now (a key of REASONS), or "" when it can."""
    now = now or timezone.now()
    if participant.platform == Platform.WEB:
        return ""
    if participant.channel is None or not participant.channel.active:
        return "disconnected"
    if participant.platform == Platform.MESSENGER and (
            participant.last_inbound_at is None or now - participant.last_inbound_at > MESSENGER_WINDOW):
        return "window"
    if participant.platform == Platform.SMS and not sms_allowed(now):
        return "quiet_hours"
    return ""


def reachable_participants(platforms, now: datetime | None = None):
    """The participants on PLATFORMS a message may go to now, as a queryset: `unreachable_reason`'s rule in SQL
    (a connected page, bot or number; no STOP; Messenger within its window), except the SMS hours, which hold a
    text message rather than leave its person out. A test checks that both agree."""
    now = now or timezone.now()
    rows = Participant.objects.filter(platform__in=list(platforms), stopped_at=None)
    rows = rows.filter(Q(platform=Platform.WEB) | Q(channel__active=True))
    return rows.exclude(Q(platform=Platform.MESSENGER)
                        & (Q(last_inbound_at=None) | Q(last_inbound_at__lt=now - MESSENGER_WINDOW)))


def subscribers(organisation, topic_ids=()):
    """The live subscriptions of ORGANISATION that TOPIC_IDS concern: all of them when no topic is given (a
    message or a post on no topic concerns everyone), else those on every topic or on one of TOPIC_IDS."""
    rows = ChatSubscription.objects.filter(organisation=organisation, stopped_at=None,
                                           participant__stopped_at=None)
    if topic_ids:
        rows = rows.filter(Q(all_topics=True) | Q(topics__in=list(topic_ids))).distinct()
    return rows


def audience(organisation, topic_ids=(), now=None) -> tuple[dict[str, list[int]], dict[str, int]]:
    """({platform: participant ids reachable now}, {reason: how many cannot be reached}) for a message to the
    subscribers of ORGANISATION on TOPIC_IDS."""
    reached: dict[str, list[int]] = {}
    unreachable: dict[str, int] = {}
    participants = Participant.objects.filter(
        pk__in=subscribers(organisation, topic_ids).values("participant_id")).select_related("channel")
    for participant in participants.iterator(chunk_size=2000):
        reason = unreachable_reason(participant, now)
        if reason:
            unreachable[reason] = unreachable.get(reason, 0) + 1
        else:
            reached.setdefault(participant.platform, []).append(participant.pk)
    return reached, unreachable


def stop_mention(number: str) -> str:
    """The end of a text message sent from the commune's NUMBER: how to stop (an answer STOP is heard by the
    engine, which ends everything at once)."""
    if number.startswith("+") or number.isdigit():
        return _("STOP to %(number)s") % {"number": number}
    return _("Reply STOP to receive nothing more")


def sms_number(participant: Participant) -> str:
    """The commune's number PARTICIPANT's text messages come from ("" when unknown)."""
    return participant.channel.external_id if participant.channel else ""


def steps_for(broadcast: Broadcast, participant: Participant) -> list[ChatStep]:
    """What PARTICIPANT receives: the text (with the news post's link), and on SMS the STOP mention."""
    text = broadcast.text
    if participant.platform == Platform.SMS:
        text = f"{text}\n{stop_mention(sms_number(participant))}"
    if broadcast.url:
        return [ChatStep("link", text, url=broadcast.url, label=_("Read the news"))]
    return [ChatStep("text", text)]


def _messages(participant: Participant, steps: list[ChatStep]) -> list:
    module = import_module(f"concerto.channels.{participant.platform}")
    messages = module.messages_for(steps)
    if participant.platform == Platform.MESSENGER:
        messages = [{**message, "_messaging_type": "UPDATE"} for message in messages]
    return messages


def _send_one(broadcast: Broadcast, participant: Participant) -> bool:
    return steps_send(participant, steps_for(broadcast, participant))


def steps_send(participant: Participant, steps: list[ChatStep]) -> bool:
    """Send STEPS (one message to many: on Messenger as an UPDATE) to PARTICIPANT now, recorded in their
    conversation; True when every message went out at once (a 5xx or a timeout is tried again later)."""
    Message.objects.create(participant=participant, direction=Message.Direction.OUT,
                           text="\n".join(filter(None, [steps[0].text, steps[0].url])))
    if participant.platform == Platform.WEB:
        return True  # shown in the web chat at the person's next visit
    messages = _messages(participant, steps)
    send = getattr(import_module(f"concerto.channels.{participant.platform}"), f"{participant.platform}_send")
    return send.call(participant.pk, messages) == len(messages)


@task()
def broadcast_batch(broadcast_id: int, participant_ids: list[int]) -> int:
    """Send BROADCAST to PARTICIPANT_IDS (one batch); a person who stopped or left the platform's rules since the
    count is counted as failed. Returns how many were sent."""
    broadcast = Broadcast.objects.filter(pk=broadcast_id).first()
    if broadcast is None:
        return 0
    live = set(subscribers(broadcast.organisation).filter(participant_id__in=participant_ids)
               .values_list("participant_id", flat=True))
    sent = failed = 0
    for participant in Participant.objects.filter(pk__in=participant_ids).select_related("channel"):
        if participant.pk not in live or unreachable_reason(participant):
            failed += 1
            continue
        try:
            ok = _send_one(broadcast, participant)
        except Exception:  # one person's failure must not stop the batch
            logger.exception("Broadcast message failed", extra={"broadcast": broadcast_id})
            ok = False
        sent, failed = sent + ok, failed + (not ok)
    Broadcast.objects.filter(pk=broadcast_id).update(sent=F("sent") + sent, failed=F("failed") + failed)
    return sent


def batches_queue(broadcast: Broadcast, reached: dict[str, list[int]]) -> None:
    """Queue the batches of BROADCAST once the transaction commits."""
    ids = [pk for platform in sorted(reached) for pk in reached[platform]]
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        transaction.on_commit(lambda chunk=chunk: broadcast_batch.enqueue(broadcast.pk, chunk))


@task()
def news_announce(organisation_id: int, topic_ids: list[int], title: str, url: str) -> int | None:
    """A news post of the commune was published: tell the subscribers whose topics match. Returns the
    Broadcast's id (None when nobody is subscribed)."""
    from concerto.core.territory.models import Organisation

    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None or not subscribers(organisation, topic_ids).exists():
        return None
    with transaction.atomic():
        reached, unreachable = audience(organisation, topic_ids)
        text = _("News from %(name)s: %(title)s") % {"name": organisation.name, "title": title}
        broadcast = Broadcast.objects.create(
            organisation=organisation, kind=Broadcast.Kind.NEWS, text=text[:1000], url=url,
            reached={platform: len(ids) for platform, ids in reached.items()}, unreachable=unreachable,
            sms_held="quiet_hours" in unreachable)
        broadcast.topics.set(topic_ids)
        batches_queue(broadcast, reached)
    return broadcast.pk


def item_published_received(sender, *, item, summary: str = "", **kwargs) -> None:
    """The kernel's `item_published`: queue `news_announce` after the commit (receivers never send in the
    publishing request)."""
    from concerto.core.participation.notifications import absolute_url
    from concerto.core.spaces.topics import topics_of

    organisation_id = item.organisation.pk
    if not ChatSubscription.objects.filter(organisation_id=organisation_id, stopped_at=None).exists():
        return  # nobody to tell: no task queued
    topic_ids = list(topics_of(item).values_list("pk", flat=True))
    title, url = str(getattr(item, "title", ""))[:200], absolute_url(item.get_absolute_url())
    transaction.on_commit(lambda: news_announce.enqueue(organisation_id, topic_ids, title, url))
