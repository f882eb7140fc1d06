"""The demo's inbox (`make run` only): a visitor who signs up on the demo has no real mailbox, and the console
backend prints the confirmation e-mail where only the person who started the server reads it. With DEBUG on,
settings.py sets this backend: it prints each e-mail as before and also keeps it as a small JSON file in
var/demo-mail/ (the worker is another process: files are what both share), and /demo/courriels/ shows a person
the e-mails sent to their own address, or to the address they type. With DEBUG off the page is a 404, whatever
the backend: it must never show mail in production."""

import json
import logging
import time
import uuid
from email.utils import parseaddr
from pathlib import Path

from django import forms
from django.conf import settings
from django.core.mail.backends.console import EmailBackend as ConsoleBackend
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

BACKEND = "concerto.demo.mailbox.EmailBackend"
# The folder keeps this many e-mails, the oldest removed first: a demo that runs for weeks stays small.
KEEP = 200
SHOWN = 20


def mail_dir() -> Path:
    return Path(getattr(settings, "CONCERTO_DEMO_MAIL_DIR", "") or settings.BASE_DIR / "var" / "demo-mail")


def enabled() -> bool:
    return settings.DEBUG and settings.EMAIL_BACKEND == BACKEND


class EmailBackend(ConsoleBackend):
    """The console backend, plus a copy of each e-mail for the demo's inbox."""

    # Read by the kernel's context processor: the « check your e-mail » pages then link to the inbox.
    demo_inbox = True

    def send_messages(self, email_messages):
        sent = super().send_messages(email_messages)
        try:
            self._keep(email_messages or [])
        except OSError:
            # The e-mail is sent (printed) all the same: a folder that cannot be written loses only its copy.
            logger.warning("The demo inbox could not keep an e-mail in %s", mail_dir(), exc_info=True)
        return sent

    def _keep(self, email_messages) -> None:
        folder = mail_dir()
        folder.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            record = {"to": [parseaddr(address)[1].lower() for address in message.recipients()],
                      "subject": str(message.subject), "body": str(message.body),
                      "sent_at": timezone.now().isoformat()}
            # A time-ordered name: the inbox lists the newest first by sorting names.
            name = f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}.json"
            (folder / name).write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        for old in sorted(folder.glob("*.json"))[:-KEEP]:
            old.unlink(missing_ok=True)


def messages_for(address: str) -> list[dict]:
    """The latest e-mails sent to ADDRESS (newest first), read from the demo's folder."""
    address = address.strip().lower()
    found = []
    for path in sorted(mail_dir().glob("*.json"), reverse=True):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # removed meanwhile, or half written: the next visit shows it
        if address in record.get("to", []):
            record["sent_at"] = timezone.datetime.fromisoformat(record["sent_at"])
            found.append(record)
            if len(found) == SHOWN:
                break
    return found


class AddressForm(forms.Form):
    adresse = forms.EmailField(label=pgettext_lazy("demo inbox", "Email address"), max_length=254,
                               widget=forms.EmailInput(attrs={"autocomplete": "email"}))


@require_safe
def inbox(request):
    if not enabled():
        raise Http404
    form = AddressForm(request.GET or None)
    address = ""
    if request.user.is_authenticated and not request.GET:
        address = request.user.email
    elif form.is_valid():
        address = form.cleaned_data["adresse"]
    return render(request, "demo/mailbox.html", {
        "form": form, "address": address, "emails": messages_for(address) if address else []})
