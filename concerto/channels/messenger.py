"""The Messenger transport (Meta's Messenger Platform): the webhook and the Send API sender.

The webhook checks X-Hub-Signature-256 (HMAC-SHA256 of the raw body with CONCERTO_MESSENGER_APP_SECRET,
compared in constant time) before reading anything, turns each message, quick reply, postback, shared location or
opt-out into `engine.inbound_handle`, and queues the answer: the worker sends it (`messenger_send`), never the
request. A photo (an image attachment) is downloaded from its URL by the worker (`messenger_fetch`), which then
answers the event.
Reads, deliveries, reactions and echoes are answered 200 and not recorded. The page id picks the commune's
channel (ChatChannel), whose page token is kept encrypted.
"""

import hashlib
import hmac
import json
import logging
from datetime import timedelta

import requests
from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django_tasks import task

from concerto.channels import engine, transport
from concerto.channels.models import Participant, Platform
from concerto.core.registry import ChatStep

logger = logging.getLogger("concerto.channels.messenger")

TEXT_MAX = 2000  # Send API text limit
BUTTON_TEXT_MAX = 640  # button template text limit
TITLE_MAX = 20  # quick reply and button titles
WINDOW = timedelta(hours=24)  # standard messaging: answers only within 24 h of the person's last message


Malformed = transport.Malformed


# Receiving ---------------------------------------------------------------------------------------------

def signature_valid(body: bytes, header: str) -> bool:
    secret = settings.CONCERTO_MESSENGER_APP_SECRET
    if not secret or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header[len("sha256="):].strip().lower())


_text = transport.text_field


def _event(item) -> dict | None:
    """One `messaging` item as {page, sender, text, payload, mid}, or None when it is not handled."""
    if not isinstance(item, dict):
        raise Malformed("an event is not an object")
    sender, recipient = item.get("sender"), item.get("recipient")
    if not isinstance(sender, dict) or not isinstance(recipient, dict):
        raise Malformed("an event has no sender or recipient")
    psid, page = sender.get("id"), recipient.get("id")
    if not isinstance(psid, str | int) or not isinstance(page, str | int):
        return None  # a user_ref (checkbox plugin) or an id-less sender: nobody to answer
    base = {"page": str(page), "sender": str(psid)}
    message = item.get("message")
    if message is not None:
        if not isinstance(message, dict):
            raise Malformed("a message is not an object")
        if message.get("is_echo"):
            return None  # what the page itself sent
        quick = message.get("quick_reply")
        payload = _text(quick.get("payload")) if isinstance(quick, dict) else ""
        images = []
        attachments = message.get("attachments") or []
        if not isinstance(attachments, list):
            raise Malformed("attachments are not a list")
        for attachment in attachments:
            if not isinstance(attachment, dict) or not isinstance(attachment.get("payload") or {}, dict):
                raise Malformed("an attachment is not an object")
            if attachment.get("type") == "location":
                point = (attachment.get("payload") or {}).get("coordinates") or {}
                if isinstance(point.get("lat"), int | float) and isinstance(point.get("long"), int | float):
                    payload = f"{point['lat']},{point['long']}"
            elif attachment.get("type") == "image":
                url = _text((attachment.get("payload") or {}).get("url"))
                if url.startswith(("https://", "http://")):
                    images.append({"kind": "image", "url": url})
        event = {**base, "text": _text(message.get("text")), "payload": payload, "mid": _text(message.get("mid"))}
        return {**event, "attachments": images[:1]} if images else event
    postback = item.get("postback")
    if postback is not None:
        if not isinstance(postback, dict):
            raise Malformed("a postback is not an object")
        mid = _text(postback.get("mid")) or f"postback:{psid}:{item.get('timestamp')}"
        return {**base, "text": "", "payload": _text(postback.get("payload")), "mid": mid}
    optin = item.get("optin")
    if isinstance(optin, dict) and optin.get("notification_messages_status") == "STOP_NOTIFICATIONS":
        return {**base, "text": "", "payload": engine.OPT_OUT, "mid": f"optout:{psid}:{item.get('timestamp')}"}
    return None  # read, delivery, reaction, referral...


def events_parse(body: bytes) -> list[dict]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise Malformed("not JSON") from None
    if not isinstance(data, dict) or data.get("object") != "page" or not isinstance(data.get("entry"), list):
        raise Malformed("not a page event")
    events = []
    for entry in data["entry"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("messaging", []), list):
            raise Malformed("an entry is not an object")
        events += [event for event in map(_event, entry.get("messaging", [])) if event is not None]
    return events


@csrf_exempt
@require_http_methods(["GET", "POST"])
def webhook(request):
    if request.method == "GET":
        token = request.GET.get("hub.verify_token", "")
        expected = settings.CONCERTO_MESSENGER_VERIFY_TOKEN
        if (request.GET.get("hub.mode") == "subscribe" and expected
                and hmac.compare_digest(token.encode(), expected.encode())):
            return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")
        return HttpResponseForbidden("Jeton de vérification incorrect.", content_type="text/plain; charset=utf-8")
    if not signature_valid(request.body, request.headers.get("X-Hub-Signature-256", "")):
        return HttpResponseForbidden("Signature absente ou incorrecte.", content_type="text/plain; charset=utf-8")
    try:
        events = events_parse(request.body)
    except Malformed:
        return HttpResponseBadRequest("Corps de requête illisible.", content_type="text/plain; charset=utf-8")

    def channel_for(event):
        channel, _secret = transport.channel_cached(platform=Platform.MESSENGER, external_id=event["page"])
        if channel is None:
            logger.warning("Messenger event for a page that no commune connected", extra={"page": event["page"]})
        return channel

    transport.events_store(platform=Platform.MESSENGER, events=events, channel_for=channel_for)
    return HttpResponse("EVENT_RECEIVED", content_type="text/plain")


# Sending -----------------------------------------------------------------------------------------------

def split_text(text: str, limit: int = TEXT_MAX) -> list[str]:
    return transport.split_text(text, limit)


def _title(label: str) -> str:
    return transport.shortened(label, TITLE_MAX)


def messages_for(steps: list[ChatStep]) -> list[dict]:
    """The Send API `message` objects for STEPS, in order."""
    messages = []
    for step in steps:
        if step.kind == "image":
            messages.append({"attachment": {"type": "image", "payload": {"url": step.url, "is_reusable": True}}})
            if step.text:
                messages += [{"text": piece} for piece in split_text(step.text)]
            continue
        if step.kind == "link":
            pieces = split_text(step.text, BUTTON_TEXT_MAX) or [step.label]
            messages += [{"text": piece} for piece in pieces[:-1]]
            messages.append({"attachment": {"type": "template", "payload": {
                "template_type": "button", "text": pieces[-1],
                "buttons": [{"type": "web_url", "url": step.url, "title": _title(step.label or step.text)}]}}})
            continue
        pieces = split_text(step.text) or ["…"]
        messages += [{"text": piece} for piece in pieces[:-1]]
        last = {"text": pieces[-1]}
        if step.choices:
            last["quick_replies"] = [{"content_type": "text", "title": _title(label), "payload": payload}
                                     for label, payload in step.choices[:engine.MAX_CHOICES]]
        messages.append(last)
    return messages


@task()
def messenger_send(participant_id: int, messages: list[dict], attempt: int = 1) -> int:
    """Send MESSAGES to the participant, in order; what a 5xx or a timeout stops is sent again later, with
    backoff. Nothing is sent outside the 24-hour window. Returns how many messages went out."""
    participant = Participant.objects.select_related("channel").filter(pk=participant_id).first()
    if participant is None or participant.channel is None:
        return 0
    if participant.last_inbound_at is None or timezone.now() - participant.last_inbound_at > WINDOW:
        logger.warning("Messenger answer not sent: outside the 24-hour window", extra={"participant": participant_id})
        return 0
    url = f"{settings.CONCERTO_MESSENGER_API_URL.rstrip('/')}/me/messages"
    params = {"access_token": participant.channel.token}
    psid = participant.address

    def post(message):
        # A broadcast marks its messages as sent proactively within the window (concerto/channels/broadcasts.py).
        message = dict(message)
        kind = message.pop("_messaging_type", "RESPONSE")
        body = {"recipient": {"id": psid}, "messaging_type": kind, "message": message}
        return requests.post(url, params=params, json=body, timeout=transport.TIMEOUT)

    return transport.deliver(task=messenger_send, participant_id=participant_id, messages=messages,
                             attempt=attempt, post=post, name="Messenger",
                             base_seconds=settings.CONCERTO_MESSENGER_RETRY_SECONDS)


@task()
def messenger_fetch(participant_id: int, event: dict) -> int:
    """Download the photo of EVENT from Meta's attachment URL (in the worker, never in the webhook), then answer
    the event with it (transport.attachments_answer)."""
    return transport.attachments_answer(participant_id=participant_id, event=event,
                                        fetch=lambda _participant, reference: transport.download(reference["url"]),
                                        render=messages_for, send_task=messenger_send)


INTAKE = transport.Intake(render=messages_for, send_task=messenger_send, fetch_task=messenger_fetch)
