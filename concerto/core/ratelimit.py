"""How often one person may send what others will read (comments, proposals, reports...), so that one
account, one address, one API token or one Open311 key cannot flood a commune's pages or its agents' queues.

The limits live in the service layer, so that the pages, the API, Open311 and the chats share them: the entry
point names the SENDER (`sender_of(request)` for a page: the account, else the network address; the API and
Open311 name their token or key) and passes it to the service as `sender=`; the service, decorated with
`@send_limited("<name>")`, refuses with `RateLimited` beyond the limit and counts the send once it succeeded.
Each entry point turns RateLimited into its own 429: the web page (`@rate_limited` on the view), JSON for the
API, the error list for Open311. A service called without a sender (staff typing paper forms, the demo) is
not limited.

A limit is a number of successful sends in a window, per sender; an address gets ADDRESS_FACTOR times more, as
a school, a library or a mobile network puts many people behind one.
Only what was accepted counts (a form sent back with errors, a service that raised, do not), so people
correcting a form are never stopped. Counts live in the cache (Redis in production, shared by every app
server; memory on one machine). A send takes its place with one atomic increment before the service runs
(and gives it back if the service raises or the limit was passed): reading the count and adding to it later
would let every one of 30 simultaneous sends read "one left".
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

from concerto.core.errors import Refusal, error_page

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
    "post": (30, 60 * 60),  # news posts written through the API (a script with a token)
    "question": (10, 60 * 60),  # questions to elected officials
    "statement": (20, 60 * 60),  # statements written in an opinion debate
    # address autocomplete and reverse lookups (core/geocoding.py): a few per keystroke pause, each costs the
    # Géoplateforme a request when not cached
    "address_lookup": (200, 10 * 60),
    # linking a chat to an account (concerto/channels/linking.py): codes asked for on the site, per account, and
    # wrong codes typed in one chat
    "chat_link_code": (10, 60 * 60),
    "chat_link_attempt": (5, 15 * 60),
    # similar ideas fetched while a title or a description is typed (core/texts/similar.py): one per pause
    "similar_lookup": (300, 10 * 60),
    # short links followed (core/mobilisation/links.py): beyond it the visitor is still sent on, not counted
    "short_link": (60, 10 * 60),
}
ADDRESS_FACTOR = 5


class RateLimited(Refusal):
    """A sender reached the limit NAME: MESSAGE says so in their language; RETRY_AFTER is the window, in
    seconds (the Retry-After header)."""

    def __init__(self, message: str, *, name: str, retry_after: int):
        super().__init__(message)
        self.name = name
        self.retry_after = retry_after


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
    """The sender of a page's request: its account when signed in, else its network address."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"address:{client_address(request)}"


def sender_of_key(kind: str, key_id) -> str:
    """The sender behind a credential a client sends: an API token ("token"), an Open311 key ("open311")."""
    return f"{kind}:{key_id}"


def _key(name: str, sender: str) -> str:
    return "ratelimit:" + hashlib.sha256(f"{name}:{sender}".encode()).hexdigest()[:32]


def used(name: str, sender: str) -> int:
    return cache.get(_key(name, sender), 0)


def _increment(key: str, delta: int, seconds: int) -> int:
    """Add DELTA to KEY atomically (Redis INCR, or the memory cache's lock); the window starts at the first
    send (a fixed window). Returns the new count."""
    if cache.add(key, delta, timeout=seconds):
        return delta
    try:
        return cache.incr(key, delta)
    except ValueError:  # expired between the two calls
        cache.add(key, max(delta, 0), timeout=seconds)
        return max(delta, 0)


def count(name: str, sender: str) -> None:
    """Count one accepted send."""
    _increment(_key(name, sender), 1, limit_of(name)[1])


def _allowed(name: str, sender: str) -> int:
    sends, _seconds = limit_of(name)
    return sends * ADDRESS_FACTOR if sender.startswith("address:") else sends


def _message(name: str, sender: str) -> str:
    sends, seconds = _allowed(name, sender), limit_of(name)[1]
    minutes = max(1, seconds // 60)
    return ngettext(
        "You have sent a lot in a short time: please wait a few minutes before sending again (at most %(count)s "
        "in %(minutes)s minutes). Nothing you had already sent is lost.",
        "You have sent a lot in a short time: please wait a few minutes before sending again (at most %(count)s "
        "in %(minutes)s minutes). Nothing you had already sent is lost.", sends) % {
        "count": sends, "minutes": minutes}


def refusal(name: str, sender: str) -> str | None:
    """The message for a sender who reached the limit NAME, or None (a look, which takes no place)."""
    if not getattr(settings, "CONCERTO_RATE_LIMITS_ENABLED", True):
        return None
    if used(name, sender) < _allowed(name, sender):
        return None
    return _message(name, sender)


def reserve(name: str, sender: str) -> bool:
    """Take one place of SENDER under the limit NAME, atomically: False (and nothing taken) when none is left.
    A place taken for a send that then fails is given back with `release`."""
    key = _key(name, sender)
    if _increment(key, 1, limit_of(name)[1]) <= _allowed(name, sender):
        return True
    release(name, sender)
    return False


def release(name: str, sender: str) -> None:
    try:
        cache.decr(_key(name, sender))
    except ValueError:  # the window ended meanwhile: nothing left to give back
        pass


def lookup_allowed(name: str, request) -> bool:
    """Whether the sender of REQUEST may make one more look-up NAME (an endpoint a page calls while someone
    types: addresses, similar ideas); the look-up takes its place at once, whatever its answer."""
    return not getattr(settings, "CONCERTO_RATE_LIMITS_ENABLED", True) or reserve(name, sender_of(request))


def send_limited(name: str):
    """A service decorator: the service takes a keyword argument `sender` (None: not limited). Beyond the
    limit NAME it raises RateLimited before doing anything; a call that returns (an accepted send) counts."""

    def decorator(service):
        @functools.wraps(service)
        def wrapper(*args, sender: str | None = None, **kwargs):
            enabled = sender is not None and getattr(settings, "CONCERTO_RATE_LIMITS_ENABLED", True)
            if not enabled:
                return service(*args, **kwargs)
            if not reserve(name, sender):
                raise RateLimited(_message(name, sender), name=name, retry_after=limit_of(name)[1])
            try:
                return service(*args, **kwargs)
            except BaseException:
                release(name, sender)  # a refused or failed send does not count
                raise

        return wrapper

    return decorator


def rate_limited(view):
    """A view decorator: RateLimited raised by the service the view calls becomes the 429 page saying when to
    come back (nothing was saved)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except RateLimited as limited:
            response = error_page(request, 429, _("Too many sends"), limited.message)
            response["Retry-After"] = str(limited.retry_after)
            return response

    return wrapper
