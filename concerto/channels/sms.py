"""The SMS transport: a provider-neutral inbound webhook and sender; the provider is OVHcloud SMS
(concerto/core/sms.py, also the verification codes' backend).

`/canaux/sms/<channel id>/entrant/` takes the provider's callback for a received text (GET or POST, form or JSON
fields: the sender in `from`/`sender`/`senderid`, the text in `text`/`message`, the provider's id in `id`; OVHcloud
names a received text's fields `sender`, `message` and `id`, as its API's incoming SMS objects do, and calls
delivery reports with `id` and `dlr`: docs/architecture.md "Chat channels in the back-office: Telegram, SMS"), checked
by the channel's secret, given in the `cle` query parameter (OVHcloud's callback URL carries no signature) or in
the header X-Concerto-Secret, compared in constant time: 403 and nothing recorded otherwise. A delivery report
(no text) is answered 200 and not recorded. Choices become a numbered menu (« Répondez 1, 2 ou 3 »); the numbers
are kept in the participant's state under `sms_menu`, so that a number typed back is the choice's payload.
STOP, ARRÊT and DÉSABONNER stop everything (the engine's rule: one confirmation, then silence). Texts are made
GSM-friendly (typographic spaces and quotes) and cut at three SMS segments per message.
"""

import hmac
import json
import logging
import re

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django_tasks import task

from concerto.channels import engine, transport
from concerto.channels.models import Participant, Platform
from concerto.core.registry import ChatStep
from concerto.core.sms import OvhSmsBackend

logger = logging.getLogger("concerto.channels.sms")

# The GSM 03.38 basic alphabet (7 bits): 153 characters a segment when concatenated, else UCS-2: 67.
GSM = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
          "¿abcdefghijklmnopqrstuvwxyzäöñüà")
SEGMENTS = 3
PLAIN = str.maketrans({"\u202f": " ", "\xa0": " ", "’": "'", "‘": "'", "«": '"', "»": '"', "“": '"', "”": '"',
                       "…": "...", "–": "-", "—": "-"})
NUMBERED = re.compile(r"^\d+\.\s*")
LINE = re.compile(r"^(\d+)\. (.+)$", re.MULTILINE)


Malformed = transport.Malformed


def plain(text: str) -> str:
    """TEXT in the GSM alphabet where French typography allows it: « x » becomes "x", ’ becomes '."""
    return re.sub(r"\s*»", '"', re.sub(r"«\s*", '"', text)).translate(PLAIN)


def limit_for(text: str) -> int:
    return (153 if set(text) <= GSM else 67) * SEGMENTS


def normalise(number: str) -> str | None:
    """A phone number in international form (+33612345678), or None."""
    digits = re.sub(r"[\s.\-()]", "", number or "")
    if re.fullmatch(r"0[1-9]\d{8}", digits):
        return "+33" + digits[1:]
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    elif re.fullmatch(r"[1-9]\d{7,14}", digits):
        digits = "+" + digits
    return digits if re.fullmatch(r"\+[1-9]\d{7,14}", digits) else None


# Receiving ---------------------------------------------------------------------------------------------

def _field(data, *names) -> str:
    for name in names:
        value = data.get(name)
        if value not in (None, ""):
            if not isinstance(value, str | int):
                raise Malformed(f"{name} is not a string")
            return str(value)
    return ""


def inbound_parse(request) -> dict | None:
    """The provider's callback as an inbound event, or None (a delivery report: nothing to answer)."""
    data = request.GET.dict()
    if request.method == "POST":
        if request.content_type == "application/json":
            try:
                body = json.loads(request.body)
            except (ValueError, UnicodeDecodeError):
                raise Malformed("not JSON") from None
            if not isinstance(body, dict):
                raise Malformed("not an object")
            data.update(body)
        else:
            data.update(request.POST.dict())
    data.pop("cle", None)
    if "dlr" in data:
        return None  # OVHcloud's delivery report (GET `id` and `dlr`, the state): nothing to answer
    text = _field(data, "text", "message")
    if not text:
        return None
    sender = normalise(_field(data, "from", "sender", "senderid"))
    if sender is None:
        raise Malformed("no sender number")
    mid = _field(data, "id", "message_id", "smsId")
    return {"sender": sender, "text": text.strip(), "payload": "", "mid": f"sms:{mid}" if mid else None}


def _number_to_payload(participant: Participant, event: dict) -> dict:
    """A number typed back to a numbered menu is that choice's payload."""
    menu = (participant.state or {}).get("sms_menu") or {}
    payload = menu.get(event["text"].strip().rstrip("."))
    return {**event, "payload": payload} if payload else event


def _remember_menu(participant: Participant, steps: list[ChatStep]) -> None:
    menu = {}
    for step in steps:
        if step.choices:
            menu = {str(number): payload for number, _label, payload, _listed in numbered(step)}
    participant.refresh_from_db(fields=["state"])
    if (participant.state or {}).get("sms_menu", {}) != menu:
        participant.state = {**(participant.state or {}), "sms_menu": menu}
        participant.save(update_fields=["state"])


@csrf_exempt
@require_http_methods(["GET", "POST"])
def inbound(request, channel_id: int):
    channel, secret = transport.channel_cached(platform=Platform.SMS, pk=channel_id)
    given = request.GET.get("cle") or request.headers.get("X-Concerto-Secret", "")
    if not secret or not hmac.compare_digest(given.encode(), secret.encode()):  # a secret just changed?
        channel, secret = transport.channel_cached(platform=Platform.SMS, pk=channel_id, fresh=True)
    if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
        return HttpResponseForbidden("Clé absente ou incorrecte.", content_type="text/plain; charset=utf-8")
    try:
        event = inbound_parse(request)
    except Malformed:
        return HttpResponseBadRequest("Message illisible.", content_type="text/plain; charset=utf-8")
    if event is not None:
        transport.events_store(platform=Platform.SMS, events=[event], channel_for=lambda _event: channel)
    return HttpResponse("OK", content_type="text/plain")


# Sending -----------------------------------------------------------------------------------------------

def _reply_with(numbers: list[int]) -> str:
    numbers = [str(number) for number in numbers]
    if len(numbers) == 1:
        return _("Reply %(number)s.") % {"number": numbers[0]}
    return _("Reply %(list)s or %(last)s.") % {"list": ", ".join(numbers[:-1]), "last": numbers[-1]}


def numbered(step: ChatStep) -> list[tuple[int, str, str, bool]]:
    """STEP's choices as (number, label, payload, already listed in the text). A choice the text already lists
    as "N. label" keeps that N; the others take the numbers after the text's, so that a number never means two
    things in one message."""
    lines = {int(match[1]): match[2].strip() for match in LINE.finditer(step.text)}
    taken, result = max(lines, default=0), []
    for label, payload in step.choices[:engine.MAX_CHOICES]:
        clean = NUMBERED.sub("", label).rstrip("…").strip()
        number = next((n for n, line in lines.items() if clean and line.startswith(clean)), None)
        if number is None:
            taken += 1
        result.append((number or taken, clean, payload, number is not None))
    return result


def menu_text(step: ChatStep) -> str:
    """STEP's text with its choices as a numbered menu (« Répondez 1, 2 ou 3 »)."""
    choices = numbered(step)
    lines = [step.text] + [f"{number}. {label}" for number, label, _payload, listed in choices if not listed]
    return "\n".join(lines + [_reply_with([number for number, *_rest in choices])])


def messages_for(steps: list[ChatStep]) -> list[str]:
    """The texts to send for STEPS: one per step (a link or a picture as its address), cut at SMS length."""
    texts = []
    for step in steps:
        if step.choices:
            text = menu_text(step)
        elif step.kind in ("link", "image"):
            text = "\n".join(part for part in (step.text, step.url) if part)
        else:
            text = step.text
        text = plain(text)
        texts += transport.split_text(text, limit_for(text))
    return texts


@task()
def sms_send(participant_id: int, messages: list[str], attempt: int = 1) -> int:
    """Send MESSAGES by text message through the provider, in order; retried with backoff."""
    participant = transport.recipient(participant_id)
    if participant is None:
        return 0
    backend, phone = OvhSmsBackend(), participant.address
    # A channel connected with its long virtual number (+33...) sends from it; otherwise from the provider's
    # short number for answers (senderForResponse) or CONCERTO_SMS_SENDER.
    number = participant.channel.external_id
    sender = number if number.startswith("+") else ""

    def post(message):
        return backend.post(phone=phone, message=message, sender=sender)

    return transport.deliver(task=sms_send, participant_id=participant_id, messages=messages, attempt=attempt,
                             post=post, name="SMS", base_seconds=settings.CONCERTO_SMS_RETRY_SECONDS)


INTAKE = transport.Intake(render=messages_for, send_task=sms_send, before=_number_to_payload, after=_remember_menu)
