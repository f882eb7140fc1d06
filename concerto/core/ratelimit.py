"""How often one person may send what others will read (comments, proposals, reports...), so that one
account or one address cannot flood a commune's pages or its agents' queues.

A limit is a number of successful sends in a window, per account when signed in, else per network address;
an address gets ADDRESS_FACTOR times more, as a school, a library or a mobile network puts many people
behind one.
Only what was accepted counts (a form sent back with errors does not), so people correcting a form are never
stopped. Counts live in the cache (Redis in production, shared by every app server; memory on one machine).
Names and defaults are in LIMITS; `CONCERTO_RATE_LIMITS` in the settings overrides them, and
`CONCERTO_RATE_LIMITS_ENABLED=0` turns them off (a load test, say).

Behind a reverse proxy, every request comes from the proxy's address: set `CONCERTO_TRUSTED_PROXIES` to the
number of proxies in front of the site, and the address is read from X-Forwarded-For, that many hops from
the right (never from the left, which the client writes).
"""

import functools
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# name: (sends, seconds). Generous for a person, tight for a script.
LIMITS = {
    "comment": (20, 10 * 60),
    "proposal": (10, 60 * 60),
    "support": (120, 10 * 60),
    "project": (10, 60 * 60),
    "report": (20, 60 * 60),
    "report_support": (60, 60 * 60),
    "response": (30, 60 * 60),
    "registration": (30, 60 * 60),
}
ADDRESS_FACTOR = 5
SUCCESS = {200, 201, 301, 302, 303}


def limit_of(name: str) -> tuple[int, int]:
    return {**LIMITS, **getattr(settings, "CONCERTO_RATE_LIMITS", {})}[name]


def client_address(request) -> str:
    """The sender's network address: REMOTE_ADDR, or X-Forwarded-For as far as trusted proxies wrote it."""
    trusted = int(getattr(settings, "CONCERTO_TRUSTED_PROXIES", 0) or 0)
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if trusted and len(forwarded) >= trusted:
        return forwarded[-trusted]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def sender_of(request) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"address:{client_address(request)}"


def _key(name: str, sender: str) -> str:
    return "ratelimit:" + hashlib.sha256(f"{name}:{sender}".encode()).hexdigest()[:32]


def used(name: str, sender: str) -> int:
    return cache.get(_key(name, sender), 0)


def count(name: str, sender: str) -> None:
    """Count one accepted send. The window starts at the first one (a fixed window)."""
    key = _key(name, sender)
    _sends, seconds = limit_of(name)
    if cache.add(key, 1, timeout=seconds):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.add(key, 1, timeout=seconds)


def refusal(name: str, sender: str) -> str | None:
    """The message for a sender who reached the limit NAME, or None."""
    if not getattr(settings, "CONCERTO_RATE_LIMITS_ENABLED", True):
        return None
    sends, seconds = limit_of(name)
    if sender.startswith("address:"):
        sends *= ADDRESS_FACTOR
    if used(name, sender) < sends:
        return None
    minutes = max(1, seconds // 60)
    return ngettext(
        "You have sent a lot in a short time: please wait a few minutes before sending again (at most %(count)s "
        "in %(minutes)s minutes). Nothing you had already sent is lost.",
        "You have sent a lot in a short time: please wait a few minutes before sending again (at most %(count)s "
        "in %(minutes)s minutes). Nothing you had already sent is lost.", sends) % {
        "count": sends, "minutes": minutes}


def rate_limited(name: str):
    """A view decorator: POST requests beyond the limit NAME get a 429 page saying when to come back; an
    accepted POST (a redirect, or 200/201) counts. Other methods pass untouched."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method != "POST":
                return view(request, *args, **kwargs)
            sender = sender_of(request)
            message = refusal(name, sender)
            if message is not None:
                from concerto.core.views import error_page

                response = error_page(request, 429, _("Too many sends"), message)
                response["Retry-After"] = str(limit_of(name)[1])
                return response
            response = view(request, *args, **kwargs)
            if response.status_code in SUCCESS and getattr(settings, "CONCERTO_RATE_LIMITS_ENABLED", True):
                count(name, sender)
            return response

        return wrapper

    return decorator
