"""Letters with a code, printed by the agents: waiting, printed (the only time a code exists in clear), cancelled."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from concerto.core.accounts.models import (
    VerificationCode,
)
from concerto.core.accounts.verification.codes import POST_CODE_LIFETIME, _code_hash, _new_code
from concerto.core.audit.services import audit_record


def letters_waiting(*, organisation):
    return VerificationCode.objects.filter(organisation=organisation, channel=VerificationCode.Channel.POST,
                                           sent_at__isnull=True, cancelled_at__isnull=True,
                                           used_at__isnull=True).order_by("created_at")


def letters_sent(*, organisation):
    """Letters printed whose code is still valid and unused: they can be printed again (a lost batch)."""
    return VerificationCode.objects.filter(organisation=organisation, channel=VerificationCode.Channel.POST,
                                           sent_at__isnull=False, cancelled_at__isnull=True, used_at__isnull=True,
                                           expires_at__gt=timezone.now()).order_by("-sent_at")


def letters_forget_expired(*, organisation) -> None:
    """Names and addresses are kept only while a letter's code can still be used."""
    VerificationCode.objects.filter(organisation=organisation, channel=VerificationCode.Channel.POST,
                                    expires_at__lte=timezone.now()).exclude(postal_address="").update(
        recipient="", postal_address="")


def letters_print(*, agent, organisation, reprint_id: int | None = None) -> list[dict]:
    """Draw a code for every letter waiting (or again for the sent letter REPRINT_ID, whose former code
    stops working) and mark them sent; return what to print: the only time the codes exist in clear."""
    letters = []
    now = timezone.now()
    if reprint_id is None:
        requests = letters_waiting(organisation=organisation)
    else:
        requests = letters_sent(organisation=organisation).filter(pk=reprint_id)
    with transaction.atomic():
        for request in requests.select_for_update():
            code = _new_code()
            letters.append({"recipient": request.recipient, "address": request.postal_address, "code": code,
                            "expires_at": now + POST_CODE_LIFETIME})
            request.code_hash = _code_hash(request.pk, code)
            request.sent_at = now
            request.expires_at = now + POST_CODE_LIFETIME
            request.attempts = 0
            request.save(update_fields=["code_hash", "sent_at", "expires_at", "attempts"])
        if letters:
            audit_record(actor=agent, action="verification.letters_printed", organisation=organisation,
                         data={"letters": len(letters), "again": reprint_id is not None})
    return letters


def letter_cancel(*, agent, request: VerificationCode) -> None:
    """Drop a letter request an agent will not send (an address outside the commune...)."""
    request.cancelled_at = timezone.now()
    request.recipient = ""
    request.postal_address = ""
    request.save(update_fields=["cancelled_at", "recipient", "postal_address"])
    audit_record(actor=agent, action="verification.letter_cancelled", organisation=request.organisation)
