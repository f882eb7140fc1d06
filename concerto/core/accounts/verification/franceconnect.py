"""FranceConnect as a way to verify residence: the identity it certifies, hashed like every other method's.

FranceConnect proves who a person is (given names, family name, birth date, birth place), not where they
live. So, where the commune has a census list, the identity must be on it: FranceConnect then replaces the
typing of one's name and date of birth by a certified identity. Without a census list, the commune that turns
FranceConnect on accepts a certified identity as enough, as it may accept a text message.

The hash is `identity_hash` (identity.py), fed with FranceConnect's given names, family name and birth date:
the same person gets the same hash whether they verify with FranceConnect, the census list, a code or at a
desk, so one person never holds two verified accounts in a commune. The birth place is not hashed: the
other methods do not know it, and the hashes must agree.

FranceConnect's `family_name` is the birth name; `preferred_username`, when the identity provider gives it,
the usage name. The census list is searched with the first, then the second: a list of married names (or
one with an optional « nom d'usage » column, see census.py) still finds the person.
"""

from __future__ import annotations

import datetime
import time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from concerto.core.accounts.models import Verification
from concerto.core.accounts.verification.grants import verification_grant
from concerto.core.accounts.verification.identity import _census_lookup, _salt_of, _typed_hash, setup_for
from concerto.core.audit.services import audit_record

# How long after coming back from FranceConnect its identity may be used (it is then forgotten).
IDENTITY_LIFETIME = 15 * 60


def franceconnect_identity(*, identity: dict | None) -> dict:
    """The names and birth date of IDENTITY (the claims kept at the callback), checked; ValidationError
    with code "expired" or "incomplete" otherwise."""
    if not identity or time.time() - identity.get("at", 0) > IDENTITY_LIFETIME:
        raise ValidationError(_("Your FranceConnect identity is no longer available: start again."), code="expired")
    try:
        birth_date = datetime.date.fromisoformat(identity.get("birthdate") or "")
    except ValueError:
        birth_date = None
    if not (identity.get("family_name") and identity.get("given_name") and birth_date):
        raise ValidationError(_("FranceConnect did not give your names and date of birth, which verification "
                                "needs. Choose another way to verify."), code="incomplete")
    usage = (identity.get("preferred_username") or "").strip()
    return {"last_name": identity["family_name"], "first_name": identity["given_name"], "birth_date": birth_date,
            "usage_name": usage}


def franceconnect_verify(*, user, organisation, identity: dict) -> Verification:
    """Verify USER in ORGANISATION with the identity FranceConnect certified (see franceconnect_identity).

    Raises ValidationError with code "not_offered", "expired", "incomplete", "not_found" or "identity_taken".
    """
    setup = setup_for(organisation=organisation)
    if not setup.offers_franceconnect:
        raise ValidationError(_("This commune does not offer FranceConnect to verify residence."),
                              code="not_offered")
    person = franceconnect_identity(identity=identity)
    salt = _salt_of(organisation)
    typed = _typed_hash(salt, person["last_name"], person["first_name"], person["birth_date"])
    entry = _census_lookup(organisation, typed)
    if (entry is None or not entry.identity_hash) and person["usage_name"]:
        # FranceConnect's family name is the birth name; a list that knows the person by their usage
        # (married) name finds them by the `preferred_username` claim, when their identity provider gives it.
        by_usage = _census_lookup(organisation, _typed_hash(salt, person["usage_name"], person["first_name"],
                                                            person["birth_date"]))
        if by_usage is not None and by_usage.identity_hash:
            entry = by_usage
    if setup.has_census and (entry is None or not entry.identity_hash):
        audit_record(actor=user, action="verification.franceconnect_not_listed", organisation=organisation)
        raise ValidationError(
            _("FranceConnect confirmed who you are, but this identity is not on the commune's list of residents. "
              "If you live here, choose another way to verify or go to a desk of the town hall."), code="not_found")
    digest = entry.identity_hash if entry is not None and entry.identity_hash else typed
    with transaction.atomic():
        return verification_grant(agent=None, user=user, organisation=organisation,
                                  method=Verification.Method.FRANCECONNECT, identity_hash=digest,
                                  birth_date=person["birth_date"])
