"""Users, their roles per organisation, and API tokens."""

import datetime
import hashlib
import secrets

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Shown instead of a name on what a deleted account had published (its author is set to None).
# Templates: {% translate "Anonymous participant" %}.
ANONYMOUS_PUBLIC_NAME = _("Anonymous participant")


# A person who gives no public name is shown as "Participant 4821": a number drawn once, never given twice,
# so that two people never look like one in a discussion.
DEFAULT_PUBLIC_NAME_PREFIX = "Participant"


def public_name_taken(name: str, *, exclude_pk=None) -> bool:
    """Whether another account already shows NAME (case and surrounding spaces do not count)."""
    others = User.objects.filter(display_name__iexact=(name or "").strip())
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    return others.exists()


def default_public_name() -> str:
    """A "Participant NNNN" name nobody holds: 4 digits, more when most of them are taken."""
    digits = 4
    while True:
        for _attempt in range(20):
            name = f"{DEFAULT_PUBLIC_NAME_PREFIX} {secrets.randbelow(9 * 10 ** (digits - 1)) + 10 ** (digits - 1)}"
            if not public_name_taken(name):
                return name
        digits += 1


def secret_hash(secret: str) -> str:
    """What is stored of a secret sent to a person (an API key, an enrolment link's token): its SHA-256."""
    return hashlib.sha256(secret.encode()).hexdigest()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    class Activity(models.TextChoices):
        """INSEE's categories of activity, as the census asks them."""
        EMPLOYED = "employed", _("In work")
        UNEMPLOYED = "unemployed", _("Unemployed")
        STUDENT = "student", _("Pupil or student")
        RETIRED = "retired", _("Retired")
        OTHER_INACTIVE = "other_inactive", _("Other inactive")

    class Gender(models.TextChoices):
        WOMAN = "woman", _("Woman")
        MAN = "man", _("Man")
        OTHER = "other", _("Other / non-binary")

    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(
        _("public name"), max_length=80, blank=True,
        help_text=_("Shown on your contributions; a pseudonym is fine."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Access to the Django admin only (Métropole technical administrators).
    is_staff = models.BooleanField(_("Django admin access"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    # Optional demographics, kept only while the person consents (representativeness).
    demographics_consent_at = models.DateTimeField(_("demographics consent given on"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    residence = models.ForeignKey(
        "territory.Organisation", verbose_name=_("commune of residence"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+", limit_choices_to={"kind": "commune"},
    )
    gender = models.CharField(_("gender"), max_length=16, choices=Gender.choices, blank=True)
    # Asked only where the commune of residence asks it (Organisation.asks_activity), under the same consent.
    activity = models.CharField(_("activity"), max_length=16, choices=Activity.choices, blank=True)
    # A quartier of the commune of residence (territory.Quartier), under the same consent.
    quartier = models.ForeignKey(
        "territory.Quartier", verbose_name=_("quartier"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    # Retention: when the person was told that their inactive account would be deleted (a later sign-in
    # makes the warning void; see accounts/retention.py).
    deletion_warned_at = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.public_name

    def save(self, *args, **kwargs):
        # Every account shows a name of its own, whichever way it was created (sign-up, FranceConnect, an
        # agent, a script): the race between two identical draws is too unlikely to need a lock.
        if not (self.display_name or "").strip():
            self.display_name = default_public_name()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "display_name"}
        super().save(*args, **kwargs)

    @property
    def public_name(self) -> str:
        return self.display_name or DEFAULT_PUBLIC_NAME_PREFIX

    def get_full_name(self) -> str:
        return self.public_name

    def get_short_name(self) -> str:
        return self.public_name


class RoleQuerySet(models.QuerySet):
    def active(self):
        """Roles whose holder enrolled their second factor (link or desk): the only ones that grant anything."""
        return self.filter(activated_at__isnull=False)

    def pending(self):
        return self.filter(activated_at__isnull=True)


class Role(models.Model):
    """A user's role in one organisation; it applies to that organisation and everything below it.

    A role is pending until its holder enrols a second factor through a one-time link sent to their address
    (or at a desk, in front of an administrator): until then it grants nothing, so that whoever knows the
    password cannot enrol their own authenticator first and take the role over (see `RoleEnrolment`).
    """

    class Kind(models.TextChoices):
        ADMIN = "admin", _("Administrator")
        AGENT = "agent", _("Agent")
        ELECTED = "elected", _("Elected official")
        EVALUATOR = "evaluator", _("Evaluator")
        MODERATOR = "moderator", _("Moderator")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    organisation = models.ForeignKey("territory.Organisation", on_delete=models.CASCADE, related_name="roles")
    kind = models.CharField(_("role"), max_length=16, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(_("active since"), null=True, blank=True)

    objects = RoleQuerySet.as_manager()

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "kind"], name="unique_role_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user.email} · {self.get_kind_display()} · {self.organisation}"


class RoleEnrolment(models.Model):
    """A one-time link that lets a staff member enrol their second factor and activate their pending roles.

    Only the SHA-256 of the link's token is stored. A link serves once, expires after LIFETIME, and a new link
    for the same person cancels the ones sent before.
    """

    LIFETIME = datetime.timedelta(days=7)

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_enrolments")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    sent_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("staff enrolment link")
        verbose_name_plural = _("staff enrolment links")

    def __str__(self) -> str:
        return f"{self.user.email} · {self.created_at:%Y-%m-%d}"

    hash_token = staticmethod(secret_hash)

    @property
    def is_open(self) -> bool:
        return self.used_at is None and self.cancelled_at is None and self.expires_at > timezone.now()


class ApiToken(models.Model):
    """A personal token for writes through the API. Only a hash is stored; the key is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    hash_key = staticmethod(secret_hash)

    @classmethod
    def issue(cls, *, user: User, name: str) -> tuple["ApiToken", str]:
        key = "cct_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, key_hash=cls.hash_key(key), prefix=key[:8])
        return token, key


class Verification(models.Model):
    """Proof that a person lives in an organisation (a commune), for actions that spaces reserve to verified
    residents (voting in a participatory budget...). See concerto/core/accounts/verification.py."""

    class Method(models.TextChoices):
        CENSUS = "census", _("Census list")
        CODE = "code", _("Code sent by text message or by post")
        DESK = "desk", _("In person at a desk")
        FRANCECONNECT = "franceconnect", _("FranceConnect")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="verifications")
    organisation = models.ForeignKey("territory.Organisation", on_delete=models.CASCADE, related_name="+")
    method = models.CharField(_("method"), max_length=16, choices=Method.choices)
    # The salted hash of the person's identity (see verification.identity_hash): it lets a paper ballot and
    # an online one by the same person be recognised as one person, without storing who they are.
    identity_hash = models.CharField(max_length=80, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    verified_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("verification")
        verbose_name_plural = _("verifications")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_verification_per_organisation"),
            # One person, one account: two live verifications of the same identity in one organisation
            # would let the same person vote twice (checked by the services, guaranteed here).
            models.UniqueConstraint(
                fields=["organisation", "identity_hash"], name="one_account_per_identity",
                condition=models.Q(revoked_at__isnull=True) & ~models.Q(identity_hash=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user.email} · {self.organisation} · {self.get_method_display()}"


class VerificationSetup(models.Model):
    """How an organisation (a commune) verifies its residents: the salt of its identity hashes, a summary of
    its census list, and the code methods it offers. The salt never changes, so the same person gets the
    same hash across census uploads, paper ballots and online verifications."""

    organisation = models.OneToOneField("territory.Organisation", on_delete=models.CASCADE,
                                        related_name="verification_setup")
    salt = models.CharField(max_length=64, editable=False)
    census_size = models.PositiveIntegerField(_("people on the census list"), default=0)
    census_uploaded_at = models.DateTimeField(_("census list uploaded on"), null=True, blank=True)
    census_uploaded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL,
                                           related_name="+")
    sms_enabled = models.BooleanField(_("codes by text message"), default=False)
    post_enabled = models.BooleanField(_("codes by post"), default=False)
    # Offered only next to another online method (see offers_franceconnect): never the only way to vote.
    franceconnect_enabled = models.BooleanField(_("FranceConnect"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("verification setup")
        verbose_name_plural = _("verification setups")

    def __str__(self) -> str:
        return str(self.organisation)

    @property
    def has_census(self) -> bool:
        return self.census_size > 0

    @property
    def offers_any_method(self) -> bool:
        return self.has_census or self.sms_enabled or self.post_enabled

    @property
    def offers_franceconnect(self) -> bool:
        """FranceConnect is offered when the commune chose it, the installation has it, and another online
        method stays open to people without FranceConnect (the desk is always there too)."""
        from django.conf import settings

        return (self.franceconnect_enabled and self.offers_any_method
                and bool(settings.SOCIALACCOUNT_PROVIDERS.get("franceconnect")))


class CensusEntry(models.Model):
    """One way to name a person of a commune's census list, as salted hashes only: nothing else is stored.

    A person listed as "Marie Claire Anne" gets one entry per prefix of their first names ("Marie",
    "Marie Claire", "Marie Claire Anne"), so typing the first name they use is enough. `lookup_hash` is
    what a resident's typing is compared with; `identity_hash` is the person's full identity (all their
    first names), recorded on their verification; empty when the lookup is ambiguous (twins "Marie Anne"
    and "Marie Claire" both answer to "Marie")."""

    organisation = models.ForeignKey("territory.Organisation", on_delete=models.CASCADE, related_name="+")
    lookup_hash = models.CharField(max_length=64)
    identity_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "lookup_hash"], name="census_entry_unique"),
        ]

    def __str__(self) -> str:
        return self.lookup_hash[:12]


class VerificationCode(models.Model):
    """A code asked for by a resident, sent by text message or by post; only its hash is stored.

    A letter request waits in the agents' queue with the name and postal address to print on the envelope;
    the code is drawn when the letter is printed, and the name and address are erased then."""

    class Channel(models.TextChoices):
        SMS = "sms", _("Text message")
        POST = "post", _("Post")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="verification_codes")
    organisation = models.ForeignKey("territory.Organisation", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(_("sent by"), max_length=8, choices=Channel.choices)
    code_hash = models.CharField(max_length=64, blank=True)
    # The identity typed by the resident, recorded on their verification when the code matches.
    identity_hash = models.CharField(max_length=64)
    birth_date = models.DateField()
    # Hash of the phone number, to limit how many codes one number receives.
    phone_hash = models.CharField(max_length=64, blank=True)
    recipient = models.CharField(max_length=200, blank=True)
    postal_address = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["organisation", "channel", "sent_at"])]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.get_channel_display()} · {self.created_at:%Y-%m-%d}"


class VerificationAttempt(models.Model):
    """A try at verifying (a census check, a code request, a code typed), kept for a while to limit tries:
    without a limit, someone who knows a name could try every date of birth."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey("territory.Organisation", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16)
    succeeded = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.kind} · {self.created_at:%Y-%m-%d %H:%M}"
