"""The chat webhooks' fast lane (concerto/core/fastlane.py): Messenger's and Telegram's POSTs answered in front of
Django when the view accepts them.

A burst of chat messages is a burst of small POSTs whose own work is a signature check, a JSON parse and one
INSERT (transport.events_store): Django's handler and middleware around them cost more than that. The lane runs
the very view functions (`messenger.webhook`, `telegram.webhook`: same checks, same parsing, same statement) on a
plain WSGIRequest, between the request signals, and answers their 200 with the headers Django's middleware adds.
Anything else (a wrong signature or secret, a malformed body, an error) has stored nothing and goes to Django,
which runs the view again and answers as it always does. SMS callbacks (forms or query strings, a few per
minute) stay Django's.

Listed by concerto/wsgi.py behind CONCERTO_WEBHOOK_FAST_LANE (on by default).
"""

from __future__ import annotations

import re

from django.core.handlers.wsgi import WSGIRequest
from django.utils import translation

from concerto.channels import messenger, telegram
from concerto.core import fastlane

MESSENGER = "/canaux/messenger/webhook/"
TELEGRAM = re.compile(r"/canaux/telegram/([1-9][0-9]{0,17})/webhook/")
# Meta batches up to a few hundred events in one POST; larger bodies are Django's (its own size limits apply).
MAX_BODY = 256 * 1024


class WebhookLane:
    max_body = MAX_BODY
    content_types = fastlane.JSON_TYPES
    cookie_free = True

    def __init__(self):
        self._routes = fastlane.Routes()

    def warm(self) -> None:
        self._route(MESSENGER)
        self._route("/canaux/telegram/1/webhook/")

    def _route(self, path: str):
        """The view's ResolverMatch, resolved once per process for each webhook (the metrics' route name)."""
        return self._routes(path, "telegram" if TELEGRAM.fullmatch(path) else path)

    @staticmethod
    def match(method: str, path: str) -> bool:
        return method == "POST" and (path == MESSENGER or TELEGRAM.fullmatch(path) is not None)

    def answer(self, environ, body: bytes, started: float):
        """(status, headers, body) of an event the view stored (or had nothing to store), else None."""
        if environ.get("QUERY_STRING"):
            return None
        request = WSGIRequest(environ)
        if not fastlane.request_acceptable(request):
            return None
        path = request.path_info
        telegram_id = TELEGRAM.fullmatch(path)
        language = translation.get_language_from_request(request)
        with fastlane.as_request(WebhookLane):
            if telegram_id:
                response = telegram.webhook(request, channel_id=int(telegram_id.group(1)))
            else:
                response = messenger.webhook(request)
        if response.status_code != 200:
            return None  # a refusal: nothing stored, Django answers it
        return fastlane.respond(request, environ, status=200, content_type=response["Content-Type"],
                                content=response.content, language=language, user_id=None, started=started,
                                route=self._route(path), sticky=True)
