"""Write actions of the back-office on organisations and roles. Each one writes an audit entry.

A role granted here is pending until its holder enrols (accounts/enrolment.py): the grant sends them a
one-time link, unless they already enrolled for another role.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from concerto.core.accounts import enrolment
from concerto.core.accounts.models import Role, RoleEnrolment
from concerto.core.audit.services import audit_record
from concerto.core.participation.notifications import absolute_url, mail_send
from concerto.core.territory.validators import validate_accent_color
from concerto.core.uploads import image_clean


@transaction.atomic
def role_grant(*, actor, organisation, user, kind: str) -> Role:
    if kind not in Role.Kind.values:
        raise ValidationError({"kind": [_("This role does not exist.")]})
    already = ValidationError(_("This person already has this role here."))
    if Role.objects.filter(user=user, organisation=organisation, kind=kind).exists():
        raise already
    try:
        # Two administrators granting the same role at the same instant: the constraint decides.
        with transaction.atomic():
            role = Role.objects.create(user=user, organisation=organisation, kind=kind)
    except IntegrityError:
        raise already from None
    audit_record(actor=actor, action="role.granted", target=role, organisation=organisation,
                 data={"user": user.email, "kind": kind})
    if not enrolment.role_activate_if_enrolled(role=role, actor=actor):
        role_enrolment_send(actor=actor, user=user)
    return role


def role_enrolment_send(*, actor, user) -> None:
    """Email USER a new one-time link to enrol and activate their pending roles (older links stop working)."""
    pending = list(Role.objects.filter(user=user).pending().select_related("organisation").order_by("pk"))
    if not pending:
        raise ValidationError(_("This person has no role waiting for activation."))
    token = enrolment.enrolment_link_issue(user=user, actor=actor)
    url = absolute_url(reverse("accounts:role_enrolment", args=[token]))
    days = RoleEnrolment.LIFETIME.days
    # Sent by the worker, which has no request: written in the site's language.
    with translation.override(settings.LANGUAGE_CODE):
        roles = ", ".join(f"{role.get_kind_display().lower()} ({role.organisation.name})" for role in pending)
        subject = _("Activate your role on Concerto")
        body = "\n\n".join([
            _("Hello,"),
            _("You have been given a role on Concerto: %(roles)s.") % {"roles": roles},
            _("To activate it, open this link within %(days)s days, sign in, and set up an authenticator app "
              "on your phone (or type its code if you already use one):") % {"days": days},
            url,
            _("The link works once. A new link cancels this one. If you did not expect this email, ignore "
              "it: nothing is activated without the link."),
        ])
    mail_send(addresses=[user.email], subject=subject, body=body)


@transaction.atomic
def staff_second_factor_reset(*, actor, user) -> None:
    """USER lost their authenticator app and recovery codes: remove them, put USER's roles back to pending
    and send a new enrolment link. ACTOR must manage the roles of every organisation where USER holds one
    (a commune's administrator cannot lock out a Métropole administrator)."""
    roles = list(Role.objects.filter(user=user).select_related("organisation"))
    if user.pk == getattr(actor, "pk", None):
        raise ValidationError(_("You cannot reset your own two-factor authentication: ask another "
                                "administrator."))
    if actor is not None and not all(actor.has_perm("accounts.manage_roles", role.organisation) for role in roles):
        raise PermissionDenied(_("This person also holds roles you do not manage: ask an administrator "
                                 "above."))
    if not roles:
        raise ValidationError(_("This person has no role: they manage their two-factor authentication "
                                "themselves."))
    enrolment.second_factor_reset(actor=actor, user=user)
    role_enrolment_send(actor=actor, user=user)


@transaction.atomic
def role_revoke(*, actor, role: Role) -> None:
    """Remove ROLE; administrators may not remove the role that makes them administrators here."""
    if role.user_id == actor.pk and role.kind == Role.Kind.ADMIN:
        other_admin_roles = Role.objects.filter(user=actor, kind=Role.Kind.ADMIN).exclude(pk=role.pk)
        if not _admin_above(other_admin_roles, role.organisation):
            raise ValidationError(_("You cannot remove your own administrator role: nobody could then "
                                    "manage the team. Ask another administrator to do it."))
    audit_record(actor=actor, action="role.revoked", target=role, organisation=role.organisation,
                 data={"user": role.user.email, "kind": role.kind})
    role.delete()


def _admin_above(roles, organisation) -> bool:
    """True when one of ROLES is held on an ancestor of ORGANISATION (so it still applies there)."""
    ancestor_ids = {org.pk for org in organisation.ancestors()}
    return any(role.organisation_id in ancestor_ids for role in roles)


ORGANISATION_SETTINGS = ("description", "website", "contact_email", "accent_color", "elected_personal_data",
                         "open_data_licence", "comparison_named", "asks_activity")


@transaction.atomic
def organisation_settings_update(*, actor, organisation, description: str | None = None, website: str | None = None,
                                 contact_email: str | None = None, accent_color: str | None = None, logo=None,
                                 elected_personal_data: bool | None = None, open_data_licence: str | None = None,
                                 comparison_named: bool | None = None, asks_activity: bool | None = None):
    """Change what residents see of ORGANISATION. A value left out (None) keeps what is stored: a partial
    update changes only what it names. LOGO None keeps the logo, False removes it."""
    errors: dict = {}
    values = {"description": description, "website": website, "contact_email": contact_email,
              "accent_color": accent_color, "open_data_licence": open_data_licence}
    values = {name: (value or "").strip() for name, value in values.items() if value is not None}
    if "accent_color" in values:
        values["accent_color"] = values["accent_color"].lower()
        if values["accent_color"]:
            try:
                validate_accent_color(values["accent_color"])
            except ValidationError as error:
                errors["accent_color"] = error.messages
    if "open_data_licence" in values:
        values["open_data_licence"] = values["open_data_licence"] or "etalab-2.0"
        licences = {key for key, _label in organisation._meta.get_field("open_data_licence").choices}
        if values["open_data_licence"] not in licences:
            errors["open_data_licence"] = [_("Choose one of the licences offered.")]
    if logo:
        try:
            logo = image_clean(logo)
        except ValidationError as error:
            errors["logo"] = error.messages
    if errors:
        raise ValidationError(errors)
    before = {name: getattr(organisation, name) for name in ORGANISATION_SETTINGS}
    for name, value in values.items():
        setattr(organisation, name, value)
    if elected_personal_data is not None:
        organisation.elected_personal_data = bool(elected_personal_data)
    if comparison_named is not None:
        organisation.comparison_named = bool(comparison_named)
    if asks_activity is not None:
        organisation.asks_activity = bool(asks_activity)
    changed = [name for name in ORGANISATION_SETTINGS if getattr(organisation, name) != before[name]]
    if logo is False:
        organisation.logo = ""
        changed.append("logo")
    elif logo:
        organisation.logo = logo
        changed.append("logo")
    organisation.save()
    audit_record(actor=actor, action="organisation.updated", target=organisation, organisation=organisation,
                 data={"fields": changed})
    return organisation
