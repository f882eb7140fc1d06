"""The web chat at /canaux/web/: the same dialogue engine on the site itself, for people who prefer no platform.

It works without JavaScript: each answer is a plain form (a text box, and a button per choice); the page shows
the last messages and the current step. The person is a participant of the "web" platform, known by a random
id kept in their session (and linked to their account when they are signed in). Each form carries a one-time
id: a form sent twice (a double click, a reload) is recorded once. A step waiting for a photo shows a file field:
the file, read here (no platform to download from), reaches the engine as a ChatAttachment, and the component
checks it with the kernel's upload checks.
"""

import secrets as random

from django.conf import settings
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from concerto.channels import engine, linking, transport
from concerto.channels.models import Message, Platform
from concerto.core.registry import ChatAttachment
from concerto.core.territory.models import Organisation

SESSION_ID = "chat_web_id"
SESSION_STEPS = "chat_web_steps"
TRANSCRIPT = 12


def _participant(request):
    if not request.session.get(SESSION_ID):
        request.session[SESSION_ID] = random.token_urlsafe(24)
    participant = engine.participant_get(platform=Platform.WEB, user_id=request.session[SESSION_ID])
    if request.user.is_authenticated and participant.user_id != request.user.pk:
        # Signed in: the web chat is the account's, with what it answered before the person signed in.
        linking.participant_link(participant=participant, user=request.user)
    return participant


def _local(url: str) -> str:
    """The site's own links as paths: the chat page may be served under another address than SITE_URL."""
    site = settings.SITE_URL.rstrip("/")
    return url[len(site):] if url.startswith(site + "/") else url


def _steps_as_dicts(steps) -> list[dict]:
    return [{"kind": step.kind, "text": step.text, "choices": [list(choice) for choice in step.choices],
             "url": _local(step.url), "label": step.label, "accepts": step.accepts} for step in steps]


def _attachments(request) -> tuple:
    photo = request.FILES.get("photo")
    if photo is None:
        return ()
    if photo.size > transport.DOWNLOAD_MAX:
        return (ChatAttachment("image", name=photo.name[:100], error="too_large"),)
    return (ChatAttachment("image", content=photo.read(), name=photo.name[:100]),)


@require_http_methods(["GET", "POST"])
def chat(request):
    participant = _participant(request)
    if request.method == "POST":
        text = request.POST.get("text", "")[:2000]
        payload = request.POST.get("payload", "")[:200]
        nonce = request.POST.get("nonce", "")[:64] or None
        attachments = _attachments(request)
        if text.strip() or payload or attachments:
            steps = engine.inbound_handle(participant=participant, text=text, payload=payload,
                                          external_id=f"web:{nonce}" if nonce else None, attachments=attachments)
            if steps is not None:
                request.session[SESSION_STEPS] = _steps_as_dicts(steps)
        return redirect("channels:web")
    commune = request.GET.get("commune", "")
    if commune and not participant.messages.exists():
        organisation = Organisation.objects.communes().filter(slug=commune[:100]).first()
        if organisation is not None:
            participant.organisation = organisation
            participant.save(update_fields=["organisation"])
    if SESSION_STEPS not in request.session or not participant.messages.exists():
        steps = engine.inbound_handle(participant=participant, payload="start")
        request.session[SESSION_STEPS] = _steps_as_dicts(steps or [])
    participant.refresh_from_db()
    transcript = list(reversed(participant.messages.order_by("-created_at", "-pk")[:TRANSCRIPT]))
    steps = request.session.get(SESSION_STEPS, [])
    current = steps[-1] if steps else None
    return render(request, "channels/web_chat.html", {
        "transcript": [m for m in transcript if m.text and m.text != "start"],
        "steps": steps, "current": current, "stopped": participant.stopped_at is not None,
        "nonce": random.token_urlsafe(16), "IN": Message.Direction.IN,
        "location": bool(current and current["kind"] == "location"),
    })
