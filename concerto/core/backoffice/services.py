"""Write actions of the back-office on organisations and roles. Each one writes an audit entry."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from concerto.core.accounts.models import Role
from concerto.core.audit.services import audit_record
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
    return role


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


ORGANISATION_SETTINGS = ("description", "website", "contact_email", "accent_color")


@transaction.atomic
def organisation_settings_update(*, actor, organisation, description: str = "", website: str = "",
                                 contact_email: str = "", accent_color: str = "", logo=None):
    """Change what residents see of ORGANISATION. LOGO None keeps the logo, False removes it."""
    errors: dict = {}
    accent_color = (accent_color or "").strip().lower()
    if accent_color:
        try:
            validate_accent_color(accent_color)
        except ValidationError as error:
            errors["accent_color"] = error.messages
    if logo:
        try:
            logo = image_clean(logo)
        except ValidationError as error:
            errors["logo"] = error.messages
    if errors:
        raise ValidationError(errors)
    before = {name: getattr(organisation, name) for name in ORGANISATION_SETTINGS}
    organisation.description = (description or "").strip()
    organisation.website = (website or "").strip()
    organisation.contact_email = (contact_email or "").strip()
    organisation.accent_color = accent_color
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
