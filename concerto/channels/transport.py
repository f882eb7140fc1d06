"""What every chat transport shares (Messenger, Telegram, SMS): the intake, the engine's loop and the sender's
skeleton.

A transport parses its platform's webhook into inbound events (dicts with `sender`, `text`, `payload` and `mid`,
the platform's message id that makes a retried delivery count once). The webhook only stores them
(`events_store`: one INSERT, unique on the channel and the message id) and answers; the worker's `inbound_drain`
takes the stored events in order per person and calls `events_handle`: for each event, the participant is found
(or created), the engine answers, and the answer, rendered in the platform's format, is queued for the worker once
the transaction commits. The worker's send task calls `deliver`, which posts the messages in order and sorts the
answers: a 5xx, a 429 or a timeout is tried again later with backoff (at most MAX_ATTEMPTS, then logged and given
up); another 4xx is final (retrying would not help).
"""

import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from importlib import import_module

import requests
from django.db import close_old_connections, connection, transaction
from django.db.models import Exists, OuterRef
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django_tasks import task

from concerto.channels import engine, secrets
from concerto.channels.models import ChatChannel, InboundEvent, Participant

logger = logging.getLogger("concerto.channels.transport")

MAX_ATTEMPTS = 5
TIMEOUT = (3.05, 10)
DOWNLOAD_MAX = 20 * 1024 * 1024  # a photo a person sends (the Bot API's own getFile limit); components check less
DOWNLOAD_TIMEOUT = (3.05, 15)


class Malformed(ValueError):
    """A webhook body that is not what the platform sends: answered 400, nothing recorded."""


def text_field(value) -> str:
    """A text field of a platform's event: "" when absent, Malformed when not a string."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Malformed("a text is not a string")
    return value


def recipient(participant_id: int):
    """The participant a send task writes to, with their channel; None when either is gone."""
    participant = Participant.objects.select_related("channel").filter(pk=participant_id).first()
    return participant if participant is not None and participant.channel is not None else None


# The intake: the webhook stores, the worker answers --------------------------------------------------------

# The transports whose webhooks store their events; each module has its INTAKE (an Intake) for the drain.
TRANSPORTS = {"messenger": "concerto.channels.messenger", "telegram": "concerto.channels.telegram",
              "sms": "concerto.channels.sms"}
DRAIN_BATCH = 20  # events handled in one transaction (at most one per person)
DRAIN_SECONDS = 2.0  # then the drain gives the worker back (its sends wait behind it) and queues itself again
WAKE_EVERY = 0.05  # seconds: a process queues at most one drain this often, whatever the webhook's rate
CHANNEL_SECONDS = 5  # how long a process keeps a channel it looked up for a webhook
_channels: dict[tuple, tuple[float, ChatChannel | None, str]] = {}


@dataclass(frozen=True)
class Intake:
    """What the drain needs of a transport to answer its stored events (see `events_handle`)."""

    render: Callable
    send_task: object
    before: Callable | None = None
    after: Callable | None = None
    fetch_task: object = None  # downloads an event's photo, then answers it (see `attachments_answer`)


def channel_cached(*, platform: str, fresh: bool = False, **lookup) -> tuple[ChatChannel | None, str]:
    """The active channel of PLATFORM found by LOOKUP (external_id= or pk=) and its webhook secret in clear, as this
    process saw them less than CHANNEL_SECONDS ago (FRESH: read them again). (None, "") when there is none. A
    webhook then costs no query but its INSERT; saving or deleting a channel empties the cache of its process, and
    the drain checks `active` again, so a deactivated page is answered nothing."""
    key = (platform, *sorted(lookup.items()))
    now = time.monotonic()
    hit = _channels.get(key)
    if hit is not None and hit[0] > now and not fresh:
        return hit[1], hit[2]
    channel = ChatChannel.objects.filter(platform=platform, active=True, **lookup).first()
    if len(_channels) > 10_000:
        _channels.clear()
    _channels[key] = (now + CHANNEL_SECONDS, channel, channel.webhook_secret if channel else "")
    return _channels[key][1], _channels[key][2]


def _channels_forget(**kwargs) -> None:
    _channels.clear()


post_save.connect(_channels_forget, sender=ChatChannel, dispatch_uid="channels_cache_saved")
post_delete.connect(_channels_forget, sender=ChatChannel, dispatch_uid="channels_cache_deleted")


def events_store(*, platform: str, events: Iterable[dict], channel_for: Callable) -> int:
    """Store EVENTS for the worker and wake it; CHANNEL_FOR(event) picks the commune's channel (None: skipped).
    One statement, `INSERT ... ON CONFLICT DO NOTHING` (a message id already waiting is stored once), in
    autocommit: one round trip, one durable commit, before the webhook answers. Returns how many events were
    offered."""
    rows, now = [], timezone.now()
    for event in events:
        channel = channel_for(event)
        if channel is not None:
            rows += [channel.pk, event.get("mid") or None, secrets.lookup_hash(platform, event["sender"]),
                     json.dumps(event), now]
    if rows:
        table = InboundEvent._meta.db_table
        values = ", ".join(["(%s, %s, %s, %s, %s)"] * (len(rows) // 5))
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {table} (channel_id, external_id, person, event, received_at) "  # noqa: S608
                           f"VALUES {values} ON CONFLICT DO NOTHING", rows)
        transaction.on_commit(wake)
    return len(rows) // 5


class _Waker:
    """Queues `inbound_drain` after a webhook stored events. With the database queue, a thread of this process does
    it, at most every WAKE_EVERY seconds and not while a drain already waits to start (that one will see the new
    events: it starts after their commit). Every event's wake comes after its commit and is followed by a drain
    queued after it, so none is left behind. With the immediate backend (tests), the drain runs at once."""

    def __init__(self):
        self.wanted = threading.Event()
        self.lock = threading.Lock()
        self.thread, self.pid = None, None

    def __call__(self):
        if not inbound_drain.get_backend().supports_defer:
            inbound_drain.enqueue()
            return
        if self.pid != os.getpid() or self.thread is None or not self.thread.is_alive():
            with self.lock:  # first wake in this process (gunicorn forks after --preload)
                if self.pid != os.getpid() or self.thread is None or not self.thread.is_alive():
                    self.wanted = threading.Event()
                    self.thread = threading.Thread(target=self._run, name="chat-intake-waker", daemon=True)
                    self.pid = os.getpid()
                    self.thread.start()
        self.wanted.set()

    def _run(self):
        while True:
            self.wanted.wait()
            self.wanted.clear()
            try:
                if not _drain_waiting():
                    inbound_drain.enqueue()
            except Exception:  # the database is away: the next webhook's wake tries again
                logger.exception("The chat intake could not queue its drain")
            finally:
                close_old_connections()
            time.sleep(WAKE_EVERY)


def _drain_waiting() -> bool:
    """A drain is queued and not started yet (the database queue only)."""
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:
        return False
    return DBTaskResult.objects.ready().filter(task_path=inbound_drain.module_path).exists()


wake = _Waker()


def _next_batch() -> list[InboundEvent]:
    """The oldest waiting events, at most one per person: each one's own oldest, none that another worker holds
    (SKIP LOCKED; a person whose earlier event is being handled elsewhere waits for it)."""
    earlier = InboundEvent.objects.filter(person=OuterRef("person"), pk__lt=OuterRef("pk"))
    return list(InboundEvent.objects.select_for_update(skip_locked=True, of=("self",)).select_related("channel")
                .filter(~Exists(earlier)).order_by("pk")[:DRAIN_BATCH])


@task()
def inbound_drain() -> int:
    """Answer the stored webhook events: each through `events_handle` with its transport's INTAKE, in order per
    person, a batch per transaction; handled events are deleted with the batch. An event whose handling fails is
    logged and dropped (it would otherwise block that person's later messages). After DRAIN_SECONDS, queues
    itself again so that the sends queued meanwhile go out. Returns how many events were handled."""
    handled, started = 0, time.monotonic()
    while time.monotonic() - started < DRAIN_SECONDS:
        with transaction.atomic():
            batch = _next_batch()
            if not batch:
                return handled
            for row in batch:
                channel, event = row.channel, row.event
                try:
                    with transaction.atomic():
                        if channel.active:
                            intake = import_module(TRANSPORTS[channel.platform]).INTAKE
                            events_handle(platform=channel.platform, events=[event],
                                          channel_for=lambda _event, c=channel: c, render=intake.render,
                                          send_task=intake.send_task, before=intake.before, after=intake.after,
                                          fetch_task=intake.fetch_task)
                except Exception:
                    logger.exception("A chat event could not be handled: dropped",
                                     extra={"channel": channel.pk, "event": row.pk})
            InboundEvent.objects.filter(pk__in=[row.pk for row in batch]).delete()
            handled += len(batch)
    inbound_drain.enqueue()
    return handled


def events_handle(*, platform: str, events: Iterable[dict], channel_for: Callable, render: Callable,
                  send_task, before: Callable | None = None, after: Callable | None = None,
                  fetch_task=None) -> int:
    """Record and answer EVENTS; CHANNEL_FOR(event) picks the commune's channel (None: skipped), RENDER(steps)
    makes the platform's messages and SEND_TASK(participant id, messages) is queued after the commit. A transport
    may read its own memory of the conversation with BEFORE(participant, event) -> event (a number typed in
    answer to a numbered menu) and keep it with AFTER(participant, steps); an event's `first` messages (an
    acknowledgement the platform expects) are sent before the answer. Returns how many events were recorded
    (a duplicate is not). An event with `attachments` (a photo: references to fetch from the platform) is not
    answered in the request: FETCH_TASK(participant id, event) downloads them in the worker, then answers the
    whole event (see `attachments_answer`); an event whose platform id was recorded before is skipped."""
    recorded = 0
    for event in events:
        channel = channel_for(event)
        if channel is None:
            continue
        with transaction.atomic():
            participant = engine.participant_get(platform=platform, user_id=event["sender"], channel=channel)
            if before is not None:
                event = before(participant, event)
            if event.get("attachments") and fetch_task is not None:
                if not (event.get("mid") and participant.messages.filter(external_id=event["mid"]).exists()):
                    transaction.on_commit(lambda pk=participant.pk, e=event: fetch_task.enqueue(pk, e))
                    recorded += 1
                continue
            steps = engine.inbound_handle(participant=participant, text=event.get("text", ""),
                                          payload=event.get("payload", ""), external_id=event.get("mid") or None)
            if steps is None:
                continue
            recorded += 1
            if after is not None:
                after(participant, steps)
            messages = list(event.get("first") or []) + (render(steps) if steps else [])
            if messages:
                transaction.on_commit(lambda pk=participant.pk, m=messages: send_task.enqueue(pk, m))
    return recorded


class DownloadFailed(Exception):
    """A file the platform did not give: REASON is "download" (an error or a timeout) or "too_large"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def download(url: str, *, params: dict | None = None, limit: int = DOWNLOAD_MAX) -> bytes:
    """The bytes at URL (a platform's file), read as a stream and refused beyond LIMIT bytes; DownloadFailed
    otherwise (a 4xx or 5xx, a timeout, a connection refused)."""
    try:
        with requests.get(url, params=params, timeout=DOWNLOAD_TIMEOUT, stream=True) as answer:
            if answer.status_code != 200:
                raise DownloadFailed("download")
            if int(answer.headers.get("Content-Length") or 0) > limit:
                raise DownloadFailed("too_large")
            content = b""
            for chunk in answer.iter_content(64 * 1024):
                content += chunk
                if len(content) > limit:
                    raise DownloadFailed("too_large")
            return content
    except requests.RequestException:
        raise DownloadFailed("download") from None


def attachments_answer(*, participant_id: int, event: dict, fetch: Callable, render: Callable, send_task) -> int:
    """In the worker: fetch the attachments of EVENT with FETCH(participant, reference) -> bytes (raising
    DownloadFailed), then record and answer the event with them as the engine's ChatAttachments (a failed one
    with its error: the component says so, and keeps what the person wrote before). Returns how many messages
    were queued."""
    from concerto.core.registry import ChatAttachment

    participant = recipient(participant_id)
    if participant is None:
        return 0
    fetched = []
    for reference in event["attachments"]:
        try:
            fetched.append(ChatAttachment(reference.get("kind", "image"), content=fetch(participant, reference),
                                          name=reference.get("name", "")))
        except DownloadFailed as failed:
            logger.warning("A chat attachment could not be fetched: %s", failed.reason,
                           extra={"participant": participant_id})
            fetched.append(ChatAttachment(reference.get("kind", "image"), error=failed.reason))
    with transaction.atomic():
        steps = engine.inbound_handle(participant=participant, text=event.get("text", ""),
                                      payload=event.get("payload", ""), external_id=event.get("mid") or None,
                                      attachments=tuple(fetched))
        messages = render(steps) if steps else []
        if messages:
            transaction.on_commit(lambda: send_task.enqueue(participant.pk, messages))
    return len(messages)


def split_text(text: str, limit: int) -> list[str]:
    """TEXT in pieces of at most LIMIT characters, cut at a paragraph, a line, a sentence or a word."""
    pieces, text = [], text.strip()
    while len(text) > limit:
        window = text[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"))
        if cut < limit // 2:
            cut = max(window.rfind(". "), window.rfind("? "), window.rfind("! "))
            cut = cut + 1 if cut >= limit // 2 else window.rfind(" ")
        if cut <= 0:
            cut = limit
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return pieces + ([text] if text else [])


def shortened(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[:limit - 1].rstrip() + "…"


def retry_later(*, task, participant_id: int, messages: list, attempt: int, reason: str, name: str,
                base_seconds: float, delay: float | None = None) -> None:
    """Queue TASK again for what is left to send, after BASE_SECONDS * 2^(attempt-1) (or DELAY, when the
    platform said how long to wait); give up and log after MAX_ATTEMPTS."""
    if attempt >= MAX_ATTEMPTS:
        logger.error("%s send given up after %s attempts: %s", name, attempt, reason,
                     extra={"participant": participant_id, "attempt": attempt})
        return
    logger.warning("%s send failed (attempt %s of %s), tried again: %s", name, attempt, MAX_ATTEMPTS, reason,
                   extra={"participant": participant_id, "attempt": attempt})
    if task.get_backend().supports_defer:
        seconds = base_seconds * 2 ** (attempt - 1) if delay is None else delay
        task = task.using(run_after=timezone.now() + timedelta(seconds=seconds))
    task.enqueue(participant_id, messages, attempt=attempt + 1)


def deliver(*, task, participant_id: int, messages: list, attempt: int, post: Callable, name: str,
            base_seconds: float, refused: Callable | None = None, wait: Callable | None = None) -> int:
    """Send MESSAGES in order with POST(message) -> requests.Response. Returns how many went out. What a
    timeout, a 5xx or a 429 stops is queued again (WAIT(answer) may give the platform's own delay); another
    4xx is logged and final, and REFUSED(answer) may act on it (a person who blocked the bot)."""
    for number, message in enumerate(messages):
        try:
            answer = post(message)
        except requests.RequestException as error:
            retry_later(task=task, participant_id=participant_id, messages=messages[number:], attempt=attempt,
                        reason=type(error).__name__, name=name, base_seconds=base_seconds)
            return number
        if answer.status_code >= 500 or answer.status_code == 429:
            retry_later(task=task, participant_id=participant_id, messages=messages[number:], attempt=attempt,
                        reason=f"HTTP {answer.status_code}", name=name, base_seconds=base_seconds,
                        delay=wait(answer) if wait else None)
            return number
        if answer.status_code >= 400:
            logger.error("%s refused a message: HTTP %s %s", name, answer.status_code, answer.text[:300],
                         extra={"participant": participant_id})
            if refused is not None:
                refused(answer)
            return number
    return len(messages)

