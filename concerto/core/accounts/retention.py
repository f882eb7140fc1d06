"""How long accounts keep personal data (accounts' RetentionRules, registered in AccountsConfig.ready()).

Periods: CNIL guidance where there is some, else the shortest period the feature needs; each can be changed
with CONCERTO_RETENTION_DAYS (see docs/operations.md, "Data retention").
"""

from datetime import timedelta

from django.contrib.sessions.models import Session
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from concerto.core.accounts.models import ApiToken, User, VerificationAttempt, VerificationCode
from concerto.core.accounts.privacy import PersonalDataProvider, RetentionRule, batched_purge
from concerto.core.accounts.services import account_delete
from concerto.core.audit.models import AuditEntry
from concerto.core.registry import Deferred

WARNING_DAYS = 30  # an inactive account is deleted at least this long after its holder was told


def inactive_accounts(cutoff):
    """Residents' accounts not signed in since CUTOFF (annotated with `last_seen`). Staff keep their account
    while they hold a role: their organisation removes the role first."""
    return (User.objects.annotate(last_seen=Coalesce("last_login", "date_joined"))
            .filter(last_seen__lt=cutoff, is_superuser=False, is_staff=False, roles__isnull=True))


def _inactive_accounts(cutoff, *, dry_run):
    # Only accounts whose holder was told WARNING_DAYS ago or more, after their last sign-in: a sign-in
    # since the warning makes it void (the account is no longer inactive, and a new warning is needed).
    now = cutoff + timedelta(days=RULES[0].period_days)
    inactive = inactive_accounts(cutoff).filter(deletion_warned_at__gte=F("last_seen"),
                                                deletion_warned_at__lte=now - timedelta(days=WARNING_DAYS))
    if dry_run:
        return inactive.count()
    count = 0
    for user in inactive.iterator(chunk_size=200):
        account_delete(user=user)
        count += 1
    return count


def _sessions(cutoff, *, dry_run):
    # Only sessions stored in the database (without REDIS_URL); the cache expires its own.
    return batched_purge(Session.objects.filter(expire_date__lt=cutoff), dry_run=dry_run)


def _verification_attempts(cutoff, *, dry_run):
    return batched_purge(VerificationAttempt.objects.filter(created_at__lt=cutoff), dry_run=dry_run)


def _verification_codes(cutoff, *, dry_run):
    return batched_purge(VerificationCode.objects.filter(created_at__lt=cutoff), dry_run=dry_run)


def _api_tokens(cutoff, *, dry_run):
    unused = Q(last_used_at__lt=cutoff) | Q(last_used_at__isnull=True, created_at__lt=cutoff)
    return batched_purge(ApiToken.objects.filter(unused), dry_run=dry_run)


def _audit_actors(cutoff, *, dry_run):
    return batched_purge(AuditEntry.objects.filter(created_at__lt=cutoff, actor__isnull=False),
                         dry_run=dry_run, update={"actor": None})


RULES = (
    RetentionRule(
        "inactive_accounts", _("Accounts of residents who no longer sign in (and all they hold)"),
        _("the last sign-in"), 3 * 365,
        _("CNIL: an inactive account is deleted after a set period (3 years from the last contact, as in its "
          "guidance on customer files); its holder is told by email 30 days before, and signing in keeps it"),
        _inactive_accounts,
        # The email goes through the notification pipeline, which is participation's (above accounts): named
        # by its path and imported at the first call, as manifests name their hooks.
        warn_days=WARNING_DAYS, warn=Deferred("concerto.core.participation.privacy.inactive_accounts_warn")),
    RetentionRule(
        "sessions", _("Sign-in sessions"), _("their expiry (two weeks without a visit)"), 1,
        _("Needed only while signed in"), _sessions),
    RetentionRule(
        "verification_attempts", _("Attempts to verify one's residence (census list, codes)"),
        _("the attempt"), 30,
        _("Kept to limit the number of tries; the longest limit counts 30 days"), _verification_attempts),
    RetentionRule(
        "verification_codes", _("Verification codes requested by text message or post (date of birth, "
                                "hashed phone number)"), _("the request"), 90,
        _("A code expires long before; kept a little longer to answer questions"), _verification_codes),
    RetentionRule(
        "api_tokens", _("API tokens that are no longer used"), _("their last use"), 365,
        _("An unused access key is a risk and serves no purpose"), _api_tokens),
    RetentionRule(
        "audit_actors", _("The name of who did what in the audit log"), _("the action"), 365,
        _("CNIL recommendation on logging (2021): 6 months to 1 year; the action itself stays, "
          "without its author"), _audit_actors),
)

PROVIDER = PersonalDataProvider(name="accounts", retention=RULES)
