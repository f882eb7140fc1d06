"""Codes sent by text message (through the SMS backend of the settings) or by post, and their confirmation."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import logging
import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from concerto.core.accounts.models import (
    Verification,
    VerificationCode,
    VerificationSetup,
)
from concerto.core.accounts.verification.grants import _identity_taken_error, identity_holder, verification_grant
from concerto.core.accounts.verification.identity import identity_hash, setup_for
from concerto.core.accounts.verification.limits import (
    POST_REQUESTS_LIMIT,
    SMS_PER_PHONE_LIMIT,
    SMS_REQUESTS_LIMIT,
    _attempt,
    _too_many,
    _too_many_error,
    tries_locked,
)
from concerto.core.audit.services import audit_record

logger = logging.getLogger(__name__)


SMS_CODE_LIFETIME = datetime.timedelta(minutes=15)
POST_CODE_LIFETIME = datetime.timedelta(days=30)
CODE_MAX_ATTEMPTS = 5


def setup_update(*, agent, organisation, sms_enabled: bool | None = None,
                 post_enabled: bool | None = None, franceconnect_enabled: bool | None = None) -> VerificationSetup:
    """Turn the code methods and FranceConnect on or off; a method left out (None) keeps its state.

    Raises ValidationError (code "franceconnect_alone") when FranceConnect would be the only online method:
    people without FranceConnect must be able to verify too (census list or codes; the desk is always open).
    """
    setup = setup_for(organisation=organisation)
    if sms_enabled is not None:
        setup.sms_enabled = bool(sms_enabled)
    if post_enabled is not None:
        setup.post_enabled = bool(post_enabled)
    if franceconnect_enabled is not None:
        setup.franceconnect_enabled = bool(franceconnect_enabled)
    if setup.franceconnect_enabled and not setup.offers_any_method:
        raise ValidationError(
            _("FranceConnect cannot be the only way to verify online: not everyone has it. Upload a census list "
              "or offer codes by text message or by post as well."), code="franceconnect_alone")
    setup.save(update_fields=["sms_enabled", "post_enabled", "franceconnect_enabled"])
    audit_record(actor=agent, action="verification.methods_changed", organisation=organisation,
                 data={"sms": setup.sms_enabled, "post": setup.post_enabled,
                       "franceconnect": setup.franceconnect_enabled})
    return setup


class LogSmsBackend:
    """The default: writes the message to the log instead of sending it (demo, development)."""

    def send(self, *, phone: str, message: str) -> None:
        logger.info("Text message to %s: %s", phone, message)


class MemorySmsBackend:
    """For tests: keeps the messages in `MemorySmsBackend.outbox`."""

    outbox: list[dict] = []

    def send(self, *, phone: str, message: str) -> None:
        MemorySmsBackend.outbox.append({"phone": phone, "message": message})


def sms_backend():
    path = getattr(settings, "CONCERTO_SMS_BACKEND", "") or "concerto.core.accounts.verification.codes.LogSmsBackend"
    return import_string(path)()


def normalise_phone(value: str) -> str | None:
    """A French mobile number in international form (+336..., +337...), or None."""
    digits = re.sub(r"[\s.\-()]", "", value or "")
    match = re.fullmatch(r"(?:\+33|0033|0)([67]\d{8})", digits)
    return f"+33{match.group(1)}" if match else None


def _new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def _code_hash(code_id: int, code: str) -> str:
    # Six digits are few: the key (the site's secret) is what keeps a stolen table from revealing codes.
    key = f"{settings.SECRET_KEY}:verification-code".encode()
    return hmac.new(key, f"{code_id}:{code}".encode(), hashlib.sha256).hexdigest()


def _phone_hash(phone: str) -> str:
    return hmac.new(f"{settings.SECRET_KEY}:phone".encode(), phone.encode(), hashlib.sha256).hexdigest()


def _free_identity(*, user, organisation, last_name: str, first_name: str, birth_date) -> str:
    """The identity hash of the person typed, unless another account is verified with it here."""
    digest = identity_hash(organisation=organisation, last_name=last_name, first_name=first_name,
                           birth_date=birth_date)
    if identity_holder(organisation=organisation, identity_hash=digest, user=user) is not None:
        raise _identity_taken_error()
    return digest


def _cancel_pending(*, user, organisation, now) -> None:
    """A new code replaces the ones asked for before (their name and address are forgotten)."""
    VerificationCode.objects.filter(user=user, organisation=organisation, used_at__isnull=True,
                                    cancelled_at__isnull=True).update(cancelled_at=now, recipient="",
                                                                      postal_address="")


def code_request_sms(*, user, organisation, last_name: str, first_name: str, birth_date,
                     phone: str) -> VerificationCode:
    """Send a 6-digit code to PHONE (after the transaction commits); only its hash is kept."""
    setup = setup_for(organisation=organisation)
    if not setup.sms_enabled:
        raise ValidationError(_("This commune does not send codes by text message."), code="unavailable")
    number = normalise_phone(phone)
    if number is None:
        raise ValidationError(_("Enter a French mobile number, for example 06 12 34 56 78."), code="phone")
    phone_digest = _phone_hash(number)
    code = _new_code()
    # Counted under a lock on the person and on the number (several accounts may name one number), so that
    # simultaneous requests cannot all slip under the limits.
    with tries_locked(user=user, keys=(f"sms-phone:{phone_digest}",)):
        now = timezone.now()
        if (_too_many(user=user, organisation=organisation, kind="sms", limit=SMS_REQUESTS_LIMIT)
                or VerificationCode.objects.filter(phone_hash=phone_digest,
                                                   created_at__gte=now - SMS_PER_PHONE_LIMIT[1]).count()
                >= SMS_PER_PHONE_LIMIT[0]):
            raise ValidationError(_("Too many codes were asked for. Wait an hour and try again, or choose "
                                    "another way to verify."), code="too_many_tries")
        digest = _free_identity(user=user, organisation=organisation, last_name=last_name,
                                first_name=first_name, birth_date=birth_date)
        _cancel_pending(user=user, organisation=organisation, now=now)
        request = VerificationCode.objects.create(
            user=user, organisation=organisation, channel=VerificationCode.Channel.SMS,
            identity_hash=digest, birth_date=birth_date, phone_hash=phone_digest,
            sent_at=now, expires_at=now + SMS_CODE_LIFETIME)
        request.code_hash = _code_hash(request.pk, code)
        request.save(update_fields=["code_hash"])
        _attempt(user=user, organisation=organisation, kind="sms")
        message = _("%(code)s is your code to verify your residence in %(commune)s. It expires in "
                    "15 minutes.") % {"code": code, "commune": organisation.name}
        # Sent from memory after commit, not through the task queue: a queued task would store the code
        # in clear in the database.
        # robust: a gateway failure is logged (the resident can ask again), never a 500 after the commit.
        transaction.on_commit(lambda: sms_backend().send(phone=number, message=message), robust=True)
    return request


def code_request_post(*, user, organisation, last_name: str, first_name: str, birth_date,
                      postal_address: str) -> VerificationCode:
    """Queue a letter for the agents to print; the code is drawn when they print it."""
    setup = setup_for(organisation=organisation)
    if not setup.post_enabled:
        raise ValidationError(_("This commune does not send codes by post."), code="unavailable")
    address = "\n".join(line.strip() for line in (postal_address or "").strip().splitlines() if line.strip())
    if len(address) < 10:
        raise ValidationError(_("Enter your full postal address: number, street, postcode and town."),
                              code="address")
    with tries_locked(user=user):
        if _too_many(user=user, organisation=organisation, kind="post", limit=POST_REQUESTS_LIMIT):
            raise _too_many_error()
        digest = _free_identity(user=user, organisation=organisation, last_name=last_name,
                                first_name=first_name, birth_date=birth_date)
        now = timezone.now()
        _cancel_pending(user=user, organisation=organisation, now=now)
        request = VerificationCode.objects.create(
            user=user, organisation=organisation, channel=VerificationCode.Channel.POST,
            identity_hash=digest, birth_date=birth_date,
            recipient=f"{first_name.strip()} {last_name.strip().upper()}"[:200], postal_address=address[:500])
        _attempt(user=user, organisation=organisation, kind="post")
    return request


def pending_code(*, user, organisation) -> VerificationCode | None:
    return (VerificationCode.objects.filter(user=user, organisation=organisation, used_at__isnull=True,
                                            cancelled_at__isnull=True).order_by("-created_at").first())


def code_confirm(*, user, organisation, code: str) -> Verification:
    """Verify USER if CODE is the one last sent to them for ORGANISATION.

    Raises ValidationError with code "no_code", "not_sent", "expired", "too_many_tries", "wrong" or
    "identity_taken".
    """
    with transaction.atomic():
        request = (VerificationCode.objects.select_for_update()
                   .filter(user=user, organisation=organisation, used_at__isnull=True,
                           cancelled_at__isnull=True).order_by("-created_at").first())
        if request is None:
            raise ValidationError(_("You have no code waiting: ask for one first."), code="no_code")
        if request.sent_at is None:
            raise ValidationError(_("Your letter has not been sent yet. Type the code when it arrives."),
                                  code="not_sent")
        if request.expires_at <= timezone.now():
            raise ValidationError(_("This code has expired. Ask for a new one."), code="expired")
        if request.attempts >= CODE_MAX_ATTEMPTS:
            raise ValidationError(_("Too many wrong codes. Ask for a new one."), code="too_many_tries")
        typed = re.sub(r"\s", "", code or "")
        if not hmac.compare_digest(_code_hash(request.pk, typed), request.code_hash):
            request.attempts += 1
            request.save(update_fields=["attempts"])
            left = CODE_MAX_ATTEMPTS - request.attempts
            if left <= 0:
                message = _("This code is wrong, and it was the last try. Ask for a new code.")
            else:
                message = _("This code is wrong. You can try %(left)s more times.") % {"left": left}
            wrong = ValidationError(message, code="wrong")
        else:
            wrong = None
            request.used_at = timezone.now()
            request.recipient = request.postal_address = ""
            request.save(update_fields=["used_at", "recipient", "postal_address"])
    if wrong is not None:  # raised outside the block, so the count of tries is kept
        raise wrong
    return verification_grant(agent=None, user=user, organisation=organisation,
                              method=Verification.Method.CODE, identity_hash=request.identity_hash,
                              birth_date=request.birth_date)
