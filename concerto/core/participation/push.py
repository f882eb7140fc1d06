"""Web push (W3C Push API with VAPID): the "push" delivery channel of the notification pipeline.

A person turns it on for one device on the notification settings page: the browser subscribes with the
site's VAPID public key and posts the subscription (its push service's endpoint and keys) to
`push_subscription_save`. The worker then encrypts each notice (title, body, link) for every device of the
person and posts it to its endpoint with pywebpush; the service worker `/sw.js` shows it. No third party
beyond the browser vendor's push service ever sees who gets what, and the message is encrypted for the
browser. A 404/410 from the push service means the device is gone: its subscription is deleted. A 5xx, a
429 or a timeout raises, and the pipeline's `_again` tries again later, for the devices still to reach only.

Keys: CONCERTO_VAPID_PRIVATE_KEY (base64url of the raw 32-byte P-256 private key, as `vapid --gen` or
web-push tools write it) and CONCERTO_VAPID_SUBJECT (mailto:). With DEBUG on and no key set, a demo key pair
is derived from SECRET_KEY (stable across restarts, so demo subscriptions keep working); with DEBUG off and no
key, push is simply off: the channel is not offered (no deploy warning: the production smoke run wants none).
"""

import base64
import hashlib
import json
import logging
from functools import lru_cache

import requests
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy

from concerto.core.participation.models import PushSubscription
from concerto.core.participation.notifications import DeliveryChannel, absolute_url, channel_register

logger = logging.getLogger("concerto.notifications")
PUSH = "push"
TIMEOUT = 10  # seconds for one push service's answer
TTL = 24 * 3600  # how long the push service keeps a message for a device that is offline
GONE = {404, 410}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@lru_cache(maxsize=4)
def _key(private: str, secret: str, debug: bool):
    if private:
        try:
            raw = b64url_decode(private)
        except ValueError:
            raw = b""
        if len(raw) != 32:
            logger.error("CONCERTO_VAPID_PRIVATE_KEY is not the base64url of 32 bytes: web push is off.")
            return None
    elif debug:
        raw = hashlib.sha256(f"concerto-demo-vapid:{secret}".encode()).digest()
    else:
        return None
    # Any 32-byte value below the curve's order is a valid P-256 private key (a hash is, but for 2^-32).
    return ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())


def vapid_private_key():
    """The site's VAPID private key (a cryptography key), or None when push is off."""
    return _key(getattr(settings, "CONCERTO_VAPID_PRIVATE_KEY", ""), settings.SECRET_KEY, settings.DEBUG)


def push_enabled() -> bool:
    return vapid_private_key() is not None


def vapid_public_key() -> str:
    """The public key the browser subscribes with (applicationServerKey): base64url of the uncompressed point."""
    key = vapid_private_key()
    if key is None:
        return ""
    return b64url(key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint))


def payload(notice: dict) -> str:
    """The small JSON a device receives (push services take up to 4 KB): title, body and link."""
    return json.dumps({"title": Truncator(notice["title"]).chars(120),
                       "body": Truncator(notice.get("body") or "").chars(240),
                       "url": absolute_url(notice.get("url") or "/compte/notifications/")})


def _push_deliver(recipient, notice: dict) -> bool:
    """Send NOTICE to each of RECIPIENT's devices. Raises when one failed in a way worth trying again; the
    notice then remembers which devices are left (`push_left`), so a retry does not reach the others twice."""
    from py_vapid import Vapid02
    from pywebpush import WebPushException, webpush

    key = vapid_private_key()
    if key is None:
        return False
    subscriptions = PushSubscription.objects.filter(user=recipient).order_by("pk")
    if "push_left" in notice:
        subscriptions = subscriptions.filter(pk__in=notice["push_left"])
    vapid = Vapid02(private_key=key)  # RFC 8292: "Authorization: vapid t=..., k=..."
    data = payload(notice)
    sent, left, error = False, [], None
    for subscription in subscriptions:
        try:
            webpush({"endpoint": subscription.endpoint,
                     "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}},
                    data=data, vapid_private_key=vapid, vapid_claims={"sub": settings.CONCERTO_VAPID_SUBJECT},
                    timeout=TIMEOUT, ttl=TTL)
        except WebPushException as failure:
            status = failure.response.status_code if failure.response is not None else None
            if status in GONE:
                subscription.delete()  # the person unsubscribed in the browser, or the device is gone
            elif status is None or status == 429 or status >= 500:
                left.append(subscription.pk)
                error = failure
            else:  # refused for good (400 bad message, 413 too big): trying again would not help
                logger.error("Push refused by the push service: %s", status)
            continue
        except requests.RequestException as failure:  # timeout, connection refused
            left.append(subscription.pk)
            error = failure
            continue
        PushSubscription.objects.filter(pk=subscription.pk).update(last_success_at=timezone.now())
        sent = True
    if error is not None:
        notice["push_left"] = left
        raise error
    return sent


def has_device(user_ids) -> set[int]:
    """Which of USER_IDS have at least one device subscribed."""
    return set(PushSubscription.objects.filter(user_id__in=user_ids).values_list("user_id", flat=True))


channel_register(DeliveryChannel(PUSH, gettext_lazy("Push notifications on my devices"), deliver=_push_deliver,
                                 opt_in=True, available=push_enabled, reachable=has_device))
