"""Write actions on accounts: profile, demographics, personal data (export, erase), API tokens.

Audit entries written here never carry personal values (a name, an address, a year of birth): the audit
log outlives the account.
"""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from concerto.core import registry
from concerto.core.accounts import verification
from concerto.core.accounts.models import ApiToken, Role, User, Verification
from concerto.core.accounts.privacy import personal_data_providers
from concerto.core.audit.models import AuditEntry
from concerto.core.audit.services import audit_record


def profile_update(*, user: User, display_name: str, demographics: dict | None) -> User:
    """Save the public name, and the demographics if DEMOGRAPHICS is given (consent), else withdraw them.

    DEMOGRAPHICS holds `birth_year`, `residence`, `gender` and `quartier` (each may be empty).
    """
    with transaction.atomic():
        changed = []
        display_name = display_name.strip()
        if display_name != user.display_name:
            user.display_name = display_name
            user.save(update_fields=["display_name"])
            changed.append("display_name")
        if demographics is None:
            if demographics_withdraw(user=user):
                changed.append("demographics_withdrawn")
        elif demographics_record(user=user, **demographics):
            changed.append("demographics")
        if changed:
            audit_record(actor=user, action="account.profile_updated", data={"changed": changed})
    return user


def demographics_record(*, user: User, birth_year: int | None, residence, gender: str, quartier=None,
                        activity: str = "") -> bool:
    """Store the demographics the person consents to give. True if something changed. A quartier is kept only
    with the commune it belongs to."""
    if quartier is not None and (residence is None or quartier.organisation_id != residence.pk):
        quartier = None
    if residence is None or not residence.asks_activity:
        activity = ""  # asked only where the commune asks it
    values = {"birth_year": birth_year, "residence": residence, "gender": gender or "", "quartier": quartier,
              "activity": activity or ""}
    changed = user.demographics_consent_at is None or any(
        getattr(user, name) != value for name, value in values.items()
    )
    if not changed:
        return False
    for name, value in values.items():
        setattr(user, name, value)
    if user.demographics_consent_at is None:
        user.demographics_consent_at = timezone.now()
    user.save(update_fields=["birth_year", "residence", "gender", "quartier", "activity", "demographics_consent_at"])
    return True


def quartier_confirm(*, user: User, quartier) -> None:
    """The person confirms the quartier suggested from a place they gave: it is kept under the demographics
    consent, which this confirmation gives when it was not given; the commune of residence becomes the
    quartier's."""
    with transaction.atomic():
        user.quartier = quartier
        user.residence = quartier.organisation
        if user.demographics_consent_at is None:
            user.demographics_consent_at = timezone.now()
        user.save(update_fields=["residence", "quartier", "demographics_consent_at"])
        audit_record(actor=user, action="account.profile_updated", data={"changed": ["demographics"]})


def people_in_quartier(quartier):
    """The active accounts who said they live in QUARTIER (and still consent to it being kept): the segment
    « people of a quartier » of the campaigns. Only those who consented are in it, by construction."""
    return User.objects.filter(quartier=quartier, residence=quartier.organisation_id, is_active=True,
                               demographics_consent_at__isnull=False)


def demographics_withdraw(*, user: User) -> bool:
    """Withdraw consent: the three values and the consent date go together. True if anything was stored."""
    had_any = bool(user.demographics_consent_at or user.birth_year or user.residence_id or user.gender
                   or user.quartier_id or user.activity)
    if not had_any:
        return False
    user.demographics_consent_at = None
    user.birth_year = None
    user.residence = None
    user.gender = ""
    user.quartier = None
    user.activity = ""
    user.save(update_fields=["birth_year", "residence", "gender", "quartier", "activity",
                             "demographics_consent_at"])
    audit_record(actor=user, action="account.demographics_withdrawn")
    return True


def _iso(value):
    return value.isoformat() if value is not None else None


def account_export(*, user: User) -> dict:
    """Everything Concerto holds about USER, for the right of access (RGPD art. 15 and 20)."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.socialaccount.models import SocialAccount

    data = {
        "exported_at": _iso(timezone.now()),
        "account": {
            "email": user.email,
            "display_name": user.display_name,
            "public_name": user.public_name,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
            "email_addresses": [
                {"email": address.email, "verified": address.verified, "primary": address.primary}
                for address in EmailAddress.objects.filter(user=user).order_by("pk")
            ],
            "two_factor_methods": sorted(
                Authenticator.objects.filter(user=user).values_list("type", flat=True).distinct()
            ),
            # The identities linked for signing in (FranceConnect): the provider and its pseudonymous id; the
            # names FranceConnect sent are not kept on the account.
            "linked_identities": [
                {"provider": account.provider, "id": account.uid, "linked_on": _iso(account.date_joined)}
                for account in SocialAccount.objects.filter(user=user).order_by("pk")
            ],
        },
        "roles": [
            {"organisation": role.organisation.name, "role": role.kind, "since": _iso(role.created_at),
             "active_since": _iso(role.activated_at)}
            for role in Role.objects.filter(user=user).select_related("organisation").order_by("pk")
        ],
        "demographics": {
            "consent_given_at": _iso(user.demographics_consent_at),
            "birth_year": user.birth_year,
            "residence": user.residence.name if user.residence_id else None,
            "residence_insee_code": user.residence.insee_code if user.residence_id else None,
            "gender": user.gender or None,
            "quartier": user.quartier.name if user.quartier_id else None,
            "activity": user.activity or None,
        },
    }
    # Comments, follows, notifications, the ledger: the kernel packages above accounts (accounts.privacy).
    for provider in personal_data_providers():
        data.update(provider.export(user))
    data.update({
        "audit_log": [
            {"at": _iso(e.created_at), "action": e.action, "target": e.target_repr,
             "organisation": e.organisation.name if e.organisation_id else None, "data": e.data}
            for e in AuditEntry.objects.filter(actor=user).select_related("organisation").order_by("pk")
        ],
        "api_tokens": [
            {"name": t.name, "created_at": _iso(t.created_at), "last_used_at": _iso(t.last_used_at)}
            for t in ApiToken.objects.filter(user=user).order_by("pk")
        ],
        "components": {},
    })
    data.update(verification.personal_data(user=user))
    for manifest in registry.components():
        if manifest.personal_data is not None:
            data["components"][manifest.name] = manifest.personal_data(user)
    audit_record(actor=user, action="account.exported")
    return data


@transaction.atomic
def account_delete(*, user: User) -> None:
    """Erase the account (RGPD art. 17) and keep what was published, without its author.

    Comments stay, shown as from an anonymous participant (participation's provider, accounts.privacy); the
    audit log keeps each action but not who did it; components erase or anonymise their own data through
    their manifests.
    """
    for manifest in registry.components():
        if manifest.erase_personal_data is not None:
            manifest.erase_personal_data(user)

    figures = {}
    for provider in personal_data_providers():
        figures.update(provider.erase(user))
    verifications = verification.personal_data_erase(user=user)
    tokens = list(ApiToken.objects.filter(user=user).values_list("pk", flat=True))
    roles = list(Role.objects.filter(user=user).values_list("pk", flat=True))
    ApiToken.objects.filter(pk__in=tokens).delete()
    Role.objects.filter(pk__in=roles).delete()

    AuditEntry.objects.filter(actor=user).update(actor=None)
    # Entries about the account itself, its roles or tokens name the person in their description.
    for model, ids in ((User, [user.pk]), (Role, roles), (ApiToken, tokens), (Verification, verifications)):
        if ids:
            AuditEntry.objects.filter(
                target_type=ContentType.objects.get_for_model(model), target_id__in=[str(pk) for pk in ids]
            ).update(target_repr="", data={})

    user.delete()
    audit_record(actor=None, action="account.deleted", data=figures)


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new personal API token; the key is returned once and only its hash is kept."""
    token, key = ApiToken.issue(user=user, name=name.strip()[:100])
    audit_record(actor=user, action="api_token.created", target=token)
    return token, key


def api_token_revoke(*, user: User, token_id: int) -> bool:
    """Delete USER's token TOKEN_ID. False if USER has no such token (someone else's is left alone)."""
    token = ApiToken.objects.filter(user=user, pk=token_id).first()
    if token is None:
        return False
    audit_record(actor=user, action="api_token.revoked", target=token)
    token.delete()
    return True


def _token_user_postgresql(key_hash: str, now) -> User | None:
    """The token's user and the "last used" stamp in one statement (a vote day's every API ballot starts here:
    one round trip instead of two, and no ORM query to compile).

    Outside a transaction the statement is its own, and its commit does not wait for the disk
    (synchronous_commit off for it alone): a crash may forget a "last used" stamp, never anything else, and the
    ballot that follows keeps its durable commit. Inside a transaction that setting would reach every write of
    the transaction, so there it is left alone."""
    fields = User._meta.concrete_fields
    columns = ", ".join(f"u.{connection.ops.quote_name(field.column)}" for field in fields)
    token, user = ApiToken._meta.db_table, User._meta.db_table
    relaxed = "" if connection.in_atomic_block else (
        ", relaxed AS (SELECT set_config('synchronous_commit', 'off', true))")
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH token AS (SELECT id, user_id, last_used_at FROM {token} WHERE key_hash = %s), "
            f"touched AS (UPDATE {token} t SET last_used_at = %s FROM token WHERE t.id = token.id "
            f"AND (token.last_used_at IS NULL OR token.last_used_at < %s) RETURNING t.id){relaxed} "
            f"SELECT {columns} FROM token JOIN {user} u ON u.id = token.user_id"
            f"{' CROSS JOIN relaxed' if relaxed else ''}",
            [key_hash, now, now - datetime.timedelta(minutes=1)])
        row = cursor.fetchone()
    if row is None:
        return None
    return User.from_db(connection.alias, [field.attname for field in fields], row)


def authenticate_api_token(key: str) -> User | None:
    """The active user the token KEY belongs to, or None; records when the token was last used."""
    if not key:
        return None
    if connection.vendor == "postgresql":
        user = _token_user_postgresql(ApiToken.hash_key(key), timezone.now())
        return user if user is not None and user.is_active else None
    token = ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash_key(key)).first()
    if token is None or not token.user.is_active:
        return None
    # "Last used" is shown to the day: writing it at most once a minute spares a write on every call.
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
