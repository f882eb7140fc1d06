"""Sending text messages through OVHcloud SMS, the one provider adapter (docs/architecture.md "Chat transports").

`OvhSmsBackend` serves two callers: the verification codes (set CONCERTO_SMS_BACKEND to
"concerto.core.sms.OvhSmsBackend": `send(phone=, message=)`, one try, a failure logged) and the SMS chat
transport (concerto/channels/sms.py: `post(...)` returns the HTTP answer so that its task retries with backoff).
A call is `POST {CONCERTO_SMS_API_URL}/sms/{service}/jobs`, signed the OVHcloud way: X-Ovh-Signature is "$1$" and
the SHA-1 of application secret + consumer key + method + full URL + body + timestamp, joined by "+".
"""

import hashlib
import json
import logging
import time

import requests
from django.conf import settings

logger = logging.getLogger("concerto.core.sms")

TIMEOUT = (3.05, 10)


def ovh_signature(*, secret: str, consumer: str, method: str, url: str, body: str, timestamp: str) -> str:
    raw = "+".join([secret, consumer, method, url, body, timestamp])
    return "$1$" + hashlib.sha1(raw.encode()).hexdigest()  # noqa: S324 (the provider's scheme, not ours)


class OvhSmsBackend:
    """OVHcloud SMS. Answers are non-commercial (noStopClause): the STOP rule is applied by the chat itself."""

    def post(self, *, phone: str, message: str, sender: str = "") -> requests.Response:
        url = f"{settings.CONCERTO_SMS_API_URL.rstrip('/')}/sms/{settings.CONCERTO_SMS_OVH_SERVICE}/jobs"
        payload = {"receivers": [phone], "message": message, "noStopClause": True, "priority": "high",
                   "charset": "UTF-8"}
        sender = sender or settings.CONCERTO_SMS_SENDER
        if sender:
            payload["sender"] = sender
        else:
            payload["senderForResponse"] = True  # a short number people can answer
        body = json.dumps(payload, ensure_ascii=False)
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-Ovh-Application": settings.CONCERTO_SMS_OVH_APPLICATION_KEY,
            "X-Ovh-Consumer": settings.CONCERTO_SMS_OVH_CONSUMER_KEY,
            "X-Ovh-Timestamp": timestamp,
            "X-Ovh-Signature": ovh_signature(secret=settings.CONCERTO_SMS_OVH_APPLICATION_SECRET,
                                             consumer=settings.CONCERTO_SMS_OVH_CONSUMER_KEY, method="POST",
                                             url=url, body=body, timestamp=timestamp),
        }
        return requests.post(url, data=body.encode(), headers=headers, timeout=TIMEOUT)

    def send(self, *, phone: str, message: str) -> None:
        try:
            answer = self.post(phone=phone, message=message)
        except requests.RequestException as error:
            logger.error("Text message not sent: %s", type(error).__name__)
            return
        if answer.status_code >= 400:
            logger.error("Text message refused by the provider: HTTP %s %s", answer.status_code, answer.text[:300])
