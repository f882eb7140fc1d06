"""Attribution: which tagged link (a print kit's poster, a campaign's message) brought a contribution.

Following a short link (`/l/<code>`, core/mobilisation/links.py) marks the visitor's session under
SOURCE_SESSION_KEY: `{"kind", "id", "code", "day"}`, the last link followed. The contributions ledger is written by
services that never see the request, so `AttributionMiddleware` puts the request's session in a request-scoped
context variable (reset after the response) and `current_source()` reads the mark from it, only when a contribution
is recorded: pages that record nothing never touch the session for this. A mark counts while it is less than
CONCERTO_ATTRIBUTION_DAYS days old (7 by default: a poster seen on Monday may be acted on at the weekend, and a week
is how long a campaign's message stays near the top of an inbox; a longer window credits the link with what the
person would have done anyway).

This module is on the kernel's ground floor: the middleware, the ledger (participation) and the short links
(mobilisation) all import it without an import cycle. Nothing about the person is stored here: the ledger row they
create keeps the link's kind and id, nothing else.
"""

import contextvars
import datetime

from django.conf import settings
from django.utils import timezone

SOURCE_SESSION_KEY = "concerto_source"

_session: contextvars.ContextVar = contextvars.ContextVar("concerto_attribution_session", default=None)


def attribution_days() -> int:
    return max(int(getattr(settings, "CONCERTO_ATTRIBUTION_DAYS", 7)), 0)


def source_mark(session, *, kind: str, source_id, code: str, day: datetime.date | None = None) -> None:
    """Mark SESSION as brought by the link CODE (of KIND and SOURCE_ID) today; it replaces any earlier mark."""
    session[SOURCE_SESSION_KEY] = {"kind": kind, "id": source_id, "code": code,
                                   "day": (day or timezone.localdate()).isoformat()}


def current_source() -> tuple[str, int] | None:
    """(source kind, source id) of the link that brought the current request's visitor, when its mark is less than
    `attribution_days()` old; None outside a request, without a mark, or with a stale or malformed one."""
    session = _session.get()
    if session is None:
        return None
    mark = session.get(SOURCE_SESSION_KEY)
    if not isinstance(mark, dict):
        return None
    kind, source_id = mark.get("kind"), mark.get("id")
    if not isinstance(kind, str) or not kind or len(kind) > 16 or not isinstance(source_id, int) or source_id < 0:
        return None
    try:
        day = datetime.date.fromisoformat(mark.get("day") or "")
    except (TypeError, ValueError):
        return None
    age = (timezone.localdate() - day).days
    if age < 0 or age >= attribution_days():
        return None
    return kind, source_id


class AttributionMiddleware:
    """Puts the request's session where `current_source()` finds it, for the time of the request. After
    SessionMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _session.set(getattr(request, "session", None))
        try:
            return self.get_response(request)
        finally:
            _session.reset(token)
