"""Resident verification: census list (salted hashes), codes sent by text message or by post, desk checks.

One concern per module:
- `identity`: identity hashes and the organisation's setup (its salt);
- `status`: reading verifications (`verification_for`, `is_verified`) and where a resident verifies;
- `actions`: actions a component reserves to verified residents (`action_require`, `action_refusal`);
- `grants`: granting and revoking a verification, desk checks;
- `limits`: limits on tries; `census`: the census list; `codes`: codes by text message and by post;
- `letters`: the letters agents print; `privacy`: the RGPD export and deletion;
- `franceconnect`: the identity FranceConnect certifies, hashed like the others.

This package re-exports the contract the rest of the code uses, so callers import from
`concerto.core.accounts.verification` and need not know which module holds what:
- `identity_hash(*, organisation, last_name, first_name, birth_date) -> str`
- `verification_for(*, user, organisation) -> Verification | None`: a valid verification of USER in
  ORGANISATION or in an organisation below it (a resident of a commune is a resident of its territory).
- `is_verified(*, user, organisation, min_age=None, on=None) -> bool`
- `verification_grant(*, agent, user, organisation, method, identity_hash="", birth_date=None) -> Verification`
- `verification_url(*, organisation=None, next_url="") -> str`: the page where a resident verifies, coming
  back to NEXT_URL afterwards.

What is stored about a person: on the census list, only HMAC-SHA256(salt of the commune, last name | first
name | date of birth); on a verification, that hash and the date of birth the resident typed (for minimum
ages). The salt is random per organisation and never changes, so the same person always gets the same hash
in the same commune (a paper ballot and an online one collide), and a hash means nothing in another
commune or outside this database.
"""

import rules

from concerto.core.accounts.permissions import is_manager
from concerto.core.accounts.verification.actions import (
    VerificationRequired,
    action_refusal,
    action_require,
    covered_communes,
    residence_refusal,
    scope_refusal,
)
from concerto.core.accounts.verification.census import (
    CENSUS_BATCH_SIZE,
    CENSUS_MAX_ROWS,
    CensusParse,
    census_check,
    census_delete,
    census_parse,
    census_precheck,
    census_upload,
    parse_birth_date,
)
from concerto.core.accounts.verification.codes import (
    CODE_MAX_ATTEMPTS,
    POST_CODE_LIFETIME,
    SMS_CODE_LIFETIME,
    LogSmsBackend,
    MemorySmsBackend,
    code_confirm,
    code_request_post,
    code_request_sms,
    normalise_phone,
    pending_code,
    setup_update,
    sms_backend,
)
from concerto.core.accounts.verification.franceconnect import (
    IDENTITY_LIFETIME,
    franceconnect_identity,
    franceconnect_verify,
)
from concerto.core.accounts.verification.grants import (
    desk_verify,
    identity_holder,
    verification_grant,
    verification_revoke,
)
from concerto.core.accounts.verification.identity import identity_hash, setup_for
from concerto.core.accounts.verification.letters import (
    letter_cancel,
    letters_forget_expired,
    letters_print,
    letters_sent,
    letters_waiting,
)
from concerto.core.accounts.verification.limits import (
    CENSUS_FAILURES_LIMIT,
    POST_REQUESTS_LIMIT,
    SMS_PER_PHONE_LIMIT,
    SMS_REQUESTS_LIMIT,
)
from concerto.core.accounts.verification.privacy import personal_data, personal_data_erase
from concerto.core.accounts.verification.status import (
    METHOD_LABELS,
    is_verified,
    safe_next,
    verification_for,
    verification_organisations,
    verification_url,
)

# Agents and administrators of a commune (or above it) verify its residents and manage its census list.
if not rules.perm_exists("accounts.verify_residents"):
    rules.add_perm("accounts.verify_residents", is_manager)

__all__ = [
    "CENSUS_BATCH_SIZE", "CENSUS_FAILURES_LIMIT", "CENSUS_MAX_ROWS", "CODE_MAX_ATTEMPTS", "METHOD_LABELS",
    "POST_CODE_LIFETIME", "POST_REQUESTS_LIMIT", "SMS_CODE_LIFETIME", "SMS_PER_PHONE_LIMIT", "SMS_REQUESTS_LIMIT",
    "CensusParse", "LogSmsBackend", "MemorySmsBackend", "VerificationRequired", "covered_communes", "scope_refusal",
    "residence_refusal",
    "action_refusal", "action_require", "census_check", "census_delete", "census_parse", "census_precheck",
    "census_upload", "code_confirm", "code_request_post", "code_request_sms", "desk_verify", "franceconnect_identity",
    "franceconnect_verify", "IDENTITY_LIFETIME", "identity_hash",
    "identity_holder", "is_verified",
    "letter_cancel", "letters_forget_expired", "letters_print", "letters_sent", "letters_waiting",
    "normalise_phone", "parse_birth_date", "pending_code", "personal_data", "personal_data_erase", "safe_next",
    "setup_for", "setup_update", "sms_backend", "verification_for", "verification_grant",
    "verification_organisations", "verification_revoke", "verification_url",
]
