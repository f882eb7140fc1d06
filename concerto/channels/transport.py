"""What every chat transport shares (Messenger, Telegram, SMS): the intake loop and the sender's skeleton.

A transport parses its platform's webhook into inbound events (dicts with `sender`, `text`, `payload` and `mid`,
the platform's message id that makes a retried delivery count once), then calls `events_handle`: for each event,
the participant is found (or created), the engine answers, and the answer, rendered in the platform's format, is
queued for the worker once the transaction commits. The worker's task calls `deliver`, which posts the messages
in order and sorts the answers: a 5xx, a 429 or a timeout is tried again later with backoff (at most
MAX_ATTEMPTS, then logged and given up); another 4xx is final (retrying would not help).
"""

import logging
from collections.abc import Callable, Iterable
from datetime import timedelta

import requests
from django.db import transaction
from django.utils import timezone

from concerto.channels import engine
from concerto.channels.models import Participant

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

