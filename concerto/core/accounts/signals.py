"""Reactions to allauth events."""

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator

SECOND_FACTORS = {Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN}


def record_mfa_on_activation(sender, request, user, authenticator, **kwargs) -> None:
    """Setting up an authenticator proves its code was just typed: count it as this session's second factor,
    so staff sent to set up TOTP on their way to the back-office are not asked for a code again at once."""
    if request is None or authenticator.type not in SECOND_FACTORS:
        return
    record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)
    # allauth sends the signal after commit, which may come after the session middleware has saved
    # the session (a request-wide transaction, or tests): save it here so the record is not lost.
    request.session.save()
