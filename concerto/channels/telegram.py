"""The Telegram transport (Bot API): the webhook and the sender.

Each commune's bot has its channel (ChatChannel, platform "telegram"): its bot token and the secret_token given
to setWebhook are kept encrypted. `POST /canaux/telegram/<channel id>/webhook/` checks the header
X-Telegram-Bot-Api-Secret-Token (constant time) before reading anything: 403 and nothing recorded otherwise. An
Update is turned into an inbound event (text, /start, /stop, a button's callback_data, a location, a photo); the
update_id makes a retried delivery count once; edits, stickers and the like are answered 200 and not recorded. A
photo is fetched by the worker (`telegram_fetch`: getFile, then /file/bot<token>/<file_path>), never in the request,
and the event is answered once it is there (transport.attachments_answer). The answer goes out from the worker
(`telegram_send`): sendMessage with inline keyboards (one button per choice, callback_data at most 64 bytes),
sendPhoto, a reply keyboard asking for the location, and answerCallbackQuery for a pressed button. A 403 from the
Bot API (the person blocked the bot) stops them.
"""

import hmac
import json
import logging

import requests
from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_tasks import task

from concerto.channels import engine, transport
from concerto.channels.models import Participant, Platform
from concerto.core.registry import ChatStep

logger = logging.getLogger("concerto.channels.telegram")

TEXT_MAX = 4096  # sendMessage text
CAPTION_MAX = 1024  # sendPhoto caption
BUTTON_TEXT_MAX = 64  # a readable button
CALLBACK_DATA_MAX = 64  # bytes


Malformed = transport.Malformed
_text = transport.text_field


# Receiving ---------------------------------------------------------------------------------------------

def _sender(holder: dict) -> str:
    person = holder.get("from")
    if not isinstance(person, dict) or not isinstance(person.get("id"), int):
        raise Malformed("no sender")
    return str(person["id"])


def update_parse(body: bytes) -> dict | None:
    """An Update as an inbound event {sender, text, payload, mid, first, restart}, or None when not handled."""
    try:
        update = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise Malformed("not JSON") from None
    if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
        raise Malformed("not an Update")
    mid = f"update:{update['update_id']}"
    query = update.get("callback_query")
    if query is not None:
        if not isinstance(query, dict) or not isinstance(query.get("id"), str):
            raise Malformed("a callback_query is not an object")
        acknowledge = {"method": "answerCallbackQuery", "body": {"callback_query_id": query["id"]}}
        return {"sender": _sender(query), "text": "", "payload": _text(query.get("data")), "mid": mid,
                "first": [acknowledge]}
    message = update.get("message")
    if message is None:
        return None  # edited_message, channel_post, my_chat_member...
    if not isinstance(message, dict):
        raise Malformed("a message is not an object")
    chat = message.get("chat")
    if not isinstance(chat, dict) or chat.get("type", "private") != "private":
        return None  # groups and channels: the bot only talks one to one
    sender = _sender(message)
    location = message.get("location")
    if isinstance(location, dict):
        lat, lon = location.get("latitude"), location.get("longitude")
        if not isinstance(lat, int | float) or not isinstance(lon, int | float):
            raise Malformed("a location without coordinates")
        return {"sender": sender, "text": "", "payload": f"{lat},{lon}", "mid": mid}
    text = _text(message.get("text")) or _text(message.get("caption"))
    photo = message.get("photo")
    if isinstance(photo, list) and photo:
        sizes = [size for size in photo if isinstance(size, dict) and isinstance(size.get("file_id"), str)]
        if not sizes:
            raise Malformed("a photo without file_id")
        # The largest size the Bot API lets a bot download (getFile: 20 MB); sizes come smallest first.
        fitting = [size for size in sizes if (size.get("file_size") or 0) <= transport.DOWNLOAD_MAX] or sizes[:1]
        return {"sender": sender, "text": text, "payload": "", "mid": mid,
                "attachments": [{"kind": "image", "file_id": fitting[-1]["file_id"]}]}
    if not text:
        return None  # a sticker, a voice message...
    command = text.split(maxsplit=1)[0].split("@")[0].lower() if text.startswith("/") else ""
    if command == "/start":
        return {"sender": sender, "text": "", "payload": "menu", "mid": mid, "restart": True}
    if command == "/stop":
        return {"sender": sender, "text": "", "payload": engine.OPT_OUT, "mid": mid}
    return {"sender": sender, "text": text, "payload": "", "mid": mid}


def _restart(participant: Participant, event: dict) -> dict:
    """/start after a STOP comes back, as START would."""
    if event.get("restart") and participant.stopped_at:
        return {**event, "text": "START", "payload": ""}
    return event


@csrf_exempt
@require_POST
def webhook(request, channel_id: int):
    channel, secret = transport.channel_cached(platform=Platform.TELEGRAM, pk=channel_id)
    given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    if not secret or not hmac.compare_digest(given.encode(), secret.encode()):  # a secret just changed?
        channel, secret = transport.channel_cached(platform=Platform.TELEGRAM, pk=channel_id, fresh=True)
    if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
        return HttpResponseForbidden("Jeton secret absent ou incorrect.", content_type="text/plain; charset=utf-8")
    try:
        event = update_parse(request.body)
    except Malformed:
        return HttpResponseBadRequest("Corps de requête illisible.", content_type="text/plain; charset=utf-8")
    if event is not None:
        transport.events_store(platform=Platform.TELEGRAM, events=[event], channel_for=lambda _event: channel)
    return HttpResponse("OK", content_type="text/plain")


# Sending -----------------------------------------------------------------------------------------------

def _keyboard(choices) -> dict | None:
    rows = []
    for label, payload in choices[:engine.MAX_CHOICES]:
        if len(payload.encode()) > CALLBACK_DATA_MAX:
            logger.warning("Telegram button left out: its payload is over 64 bytes", extra={"payload": payload[:80]})
            continue
        rows.append([{"text": transport.shortened(label, BUTTON_TEXT_MAX), "callback_data": payload}])
    return {"inline_keyboard": rows} if rows else None


def _texts(text: str, markup: dict | None) -> list[dict]:
    pieces = transport.split_text(text, TEXT_MAX) or ["…"]
    messages = [{"method": "sendMessage", "body": {"text": piece}} for piece in pieces]
    if markup:
        messages[-1]["body"]["reply_markup"] = markup
    return messages


def messages_for(steps: list[ChatStep]) -> list[dict]:
    """The Bot API calls ({method, body} without chat_id) for STEPS, in order."""
    messages = []
    for step in steps:
        if step.kind == "image":
            messages.append({"method": "sendPhoto", "body": {"photo": step.url,
                                                             "caption": step.text[:CAPTION_MAX]}})
            if len(step.text) > CAPTION_MAX:
                messages += _texts(step.text, None)
            continue
        if step.kind == "link":
            button = {"text": transport.shortened(step.label or _("Open the link"), BUTTON_TEXT_MAX), "url": step.url}
            messages += _texts(step.text or step.label, {"inline_keyboard": [[button]]})
            continue
        if step.kind == "location":
            messages += _texts(step.text, _keyboard(step.choices))
            messages += _texts(_("Use the button below to share your location."), {
                "keyboard": [[{"text": _("Share my location"), "request_location": True}]],
                "one_time_keyboard": True, "resize_keyboard": True})
            continue
        messages += _texts(step.text, _keyboard(step.choices))
    return messages


def _blocked(participant: Participant, answer: requests.Response) -> None:
    """A 403: the person blocked the bot. They are stopped, as by STOP (nothing is sent to them)."""
    if answer.status_code == 403 and participant.stopped_at is None:
        engine.inbound_handle(participant=participant, payload=engine.OPT_OUT,
                              external_id=f"blocked:{participant.last_inbound_at}")


def _wait(answer: requests.Response) -> float | None:
    try:
        return float(answer.json()["parameters"]["retry_after"])
    except (ValueError, KeyError, TypeError):
        return None


@task()
def telegram_send(participant_id: int, messages: list[dict], attempt: int = 1) -> int:
    """Call the Bot API for MESSAGES, in order, with the channel's bot token; retried with backoff."""
    participant = transport.recipient(participant_id)
    if participant is None:
        return 0
    base = f"{settings.CONCERTO_TELEGRAM_API_URL.rstrip('/')}/bot{participant.channel.token}"
    chat_id = participant.address

    def post(message):
        body = dict(message["body"])
        if message["method"] != "answerCallbackQuery":
            body["chat_id"] = chat_id
        return requests.post(f"{base}/{message['method']}", json=body, timeout=transport.TIMEOUT)

    return transport.deliver(task=telegram_send, participant_id=participant_id, messages=messages,
                             attempt=attempt, post=post, name="Telegram",
                             base_seconds=settings.CONCERTO_TELEGRAM_RETRY_SECONDS,
                             refused=lambda answer: _blocked(participant, answer), wait=_wait)


def _file(participant: Participant, reference: dict) -> bytes:
    """A file of the Bot API: getFile gives its path, then it is read from /file/bot<token>/<path>."""
    base = settings.CONCERTO_TELEGRAM_API_URL.rstrip("/")
    token = participant.channel.token
    try:
        answer = requests.post(f"{base}/bot{token}/getFile", json={"file_id": reference["file_id"]},
                               timeout=transport.TIMEOUT)
        path = answer.json()["result"]["file_path"] if answer.status_code == 200 else None
    except (requests.RequestException, ValueError, KeyError, TypeError):
        path = None
    if not isinstance(path, str) or not path or ".." in path:
        raise transport.DownloadFailed("download")
    return transport.download(f"{base}/file/bot{token}/{path}")


@task()
def telegram_fetch(participant_id: int, event: dict) -> int:
    """Download the photo of EVENT (getFile, then the file) in the worker, then answer the event with it."""
    return transport.attachments_answer(participant_id=participant_id, event=event, fetch=_file,
                                        render=messages_for, send_task=telegram_send)


INTAKE = transport.Intake(render=messages_for, send_task=telegram_send, before=_restart, fetch_task=telegram_fetch)
