"""Email bounces (issue 15): the one rule for bulk email.

A hard bounce (the mailbox does not exist, the domain does not take mail) is counted on the ADDRESS
(`EmailBounceCount`); from `CONCERTO_EMAIL_HARD_BOUNCES_MAX` (3) the address gets no bulk email: digests,
newsletters, anything sent to many people. A soft bounce (mailbox full, server busy) is recorded, not counted.
The same provider event delivered twice counts once (`EmailBounceEvent`, keyed by a hash of its identifiers).
Confirming the address again (allauth's `email_confirmed`) resets the count. Transactional email (sign-in
links, password reset, a question's answer notice) is not filtered: the person may have fixed their mailbox.

Whoever sends bulk email asks here, and only here:
- `email_deliverable_filter(queryset, field="email")` keeps the rows whose address may receive bulk email;
- `bulk_email_allowed(address)` says it for one address.

Bounces come in through the Brevo webhook (`bounce_views.brevo_webhook`) or `manage.py email_bounces_load FILE`.
"""

import hashlib

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from concerto.core.participation.models import EmailBounceCount, EmailBounceEvent

HARD, SOFT = "hard", "soft"


def hard_bounces_max() -> int:
    return int(getattr(settings, "CONCERTO_EMAIL_HARD_BOUNCES_MAX", 3))


def _normal(address: str) -> str:
    return (address or "").strip().lower()


def bounce_key(*parts) -> str:
    """The idempotency key of a bounce event made of its provider's identifiers (nothing readable is kept)."""
    return hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()


def email_bounce_record(*, address: str, kind: str, key: str, reason: str = "", at=None) -> bool:
    """A bounce of ADDRESS (KIND "hard" or "soft"), event KEY (see bounce_key). Returns False when the event was
    already counted. A hard one adds to the address's count; a soft one is only remembered."""
    if kind not in (HARD, SOFT):
        raise ValueError(kind)
    address = _normal(address)
    if not address or len(address) > 254:
        raise ValueError(address)
    at = at or timezone.now()
    try:
        with transaction.atomic():
            EmailBounceEvent.objects.create(key=key)
            counter, _created = EmailBounceCount.objects.get_or_create(address=address)
            field = "hard_bounces" if kind == HARD else "soft_bounces"
            EmailBounceCount.objects.filter(pk=counter.pk).update(
                **{field: F(field) + 1}, last_bounce_at=at, last_reason=reason[:200])
    except IntegrityError:  # the event is known: a retry of the provider, or a file loaded twice
        return False
    return True


def email_bounces_reset(*, address: str) -> int:
    """ADDRESS works again (the person confirmed it): its hard bounces no longer count."""
    return EmailBounceCount.objects.filter(address=_normal(address)).update(hard_bounces=0)


def undeliverable_addresses() -> QuerySet:
    """The addresses that get no bulk email, as a subquery."""
    return EmailBounceCount.objects.filter(hard_bounces__gte=hard_bounces_max()).values("address")


def email_deliverable_filter(queryset: QuerySet, field: str = "email") -> QuerySet:
    """QUERYSET without the rows whose address (FIELD, e.g. "email" for users, "user__email" for subscriptions)
    bounced too often for bulk email."""
    return queryset.exclude(**{f"{field}__in": undeliverable_addresses()})


def bulk_email_allowed(address: str) -> bool:
    """Whether ADDRESS may receive bulk email (fewer hard bounces than the limit)."""
    return not EmailBounceCount.objects.filter(address=_normal(address), hard_bounces__gte=hard_bounces_max()).exists()


def email_confirmed_received(sender, *, email_address=None, **kwargs) -> None:
    """allauth's `email_confirmed`: the person proved the address works, its count starts again."""
    if email_address is not None:
        email_bounces_reset(address=email_address.email)


class BounceInputError(ValueError):
    """Input a provider or a file sent that cannot be read: the message says what, in French."""


# Brevo (ex-Sendinblue, used by many French local authorities; servers in the EU) transactional webhooks:
# https://developers.brevo.com/docs/transactional-webhooks. "invalid_email" is a hard failure too.
BREVO_KINDS = {"hard_bounce": HARD, "invalid_email": HARD, "soft_bounce": SOFT}


def brevo_events_record(payload) -> tuple[int, int]:
    """Record the bounces of a Brevo webhook's PAYLOAD (one event, or a list of them). Returns (counted, ignored):
    other events (delivered, opened...) and events already counted are ignored. Raises BounceInputError."""
    from django.utils.translation import gettext as _

    events = payload if isinstance(payload, list) else [payload]
    if not events or len(events) > 1000 or not all(isinstance(event, dict) for event in events):
        raise BounceInputError(_("Expected a Brevo event (a JSON object) or a list of at most 1,000 events."))
    parsed = []
    for event in events:
        name, address = event.get("event"), event.get("email")
        if not isinstance(name, str) or not isinstance(address, str) or "@" not in address or len(address) > 254:
            raise BounceInputError(_("Each event needs an “event” and an “email” address."))
        parsed.append((BREVO_KINDS.get(name), name, address, event))
    counted = ignored = 0
    for kind, name, address, event in parsed:
        if kind is None:
            ignored += 1
            continue
        key = bounce_key("brevo", name, address.strip().lower(), event.get("message-id", ""),
                         event.get("ts_event", event.get("ts_epoch", event.get("ts", ""))))
        reason = event.get("reason") if isinstance(event.get("reason"), str) else ""
        if email_bounce_record(address=address, kind=kind, key=key, reason=reason):
            counted += 1
        else:
            ignored += 1
    return counted, ignored


def bounce_lines_record(lines) -> tuple[int, int]:
    """Record the bounces of a file (`manage.py email_bounces_load`): CSV lines `address[,hard|soft[,id]]`, a
    header line `email,...` allowed; the id (the provider's, or a date) tells two bounces of one address apart,
    and a line loaded twice counts once. Returns (counted, ignored); raises BounceInputError naming the line."""
    import csv

    from django.utils.translation import gettext as _

    rows = []
    for number, row in enumerate(csv.reader(lines), start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells) or cells[0].startswith("#") or (number == 1 and cells[0].lower() in ("email", "address")):
            continue
        address = cells[0]
        kind = (cells[1].lower() if len(cells) > 1 and cells[1] else HARD)
        if "@" not in address or len(address) > 254 or kind not in (HARD, SOFT):
            raise BounceInputError(_("Line %(line)d: expected “address,hard|soft,id”.") % {"line": number})
        rows.append((address, kind, cells[2] if len(cells) > 2 else ""))
    counted = ignored = 0
    for address, kind, ident in rows:
        if email_bounce_record(address=address, kind=kind, key=bounce_key("file", address.lower(), kind, ident)):
            counted += 1
        else:
            ignored += 1
    return counted, ignored


def brevo_authorised(header: str) -> bool:
    """Whether the webhook's Authorization HEADER carries the secret (`Bearer <secret>`, or Basic with the secret
    as password, as Brevo's webhook settings offer), compared in constant time."""
    import base64
    import binascii
    import hmac

    secret = getattr(settings, "CONCERTO_BREVO_WEBHOOK_SECRET", "")
    if not secret or not header:
        return False
    scheme, _space, value = header.partition(" ")
    given = ""
    if scheme.lower() == "bearer":
        given = value.strip()
    elif scheme.lower() == "basic":
        try:
            given = base64.b64decode(value.strip(), validate=True).decode().partition(":")[2]
        except (binascii.Error, UnicodeDecodeError):
            return False
    return hmac.compare_digest(given.encode(), secret.encode())
