"""Who may do what, per organisation.

A role held on an organisation applies to it and to every organisation below it: a Métropole
administrator manages everything, a territory agent manages the territory's communes, a commune agent
manages only that commune. Permissions are `rules` predicates so they can be tested as a matrix.
"""

import rules
from django.utils.translation import gettext as _

from concerto.core.accounts.models import Role

MANAGER_ROLES = (Role.Kind.ADMIN, Role.Kind.AGENT)
# The roles that read the back-office pages that inform a decision (lists, figures, results, the overview).
READER_ROLES = (Role.Kind.ADMIN, Role.Kind.AGENT, Role.Kind.ELECTED)
BACKOFFICE_ROLES = tuple(Role.Kind)


def _organisation_of(obj):
    """The organisation an object belongs to (an Organisation, or anything with `.organisation`)."""
    from concerto.core.territory.models import Organisation

    if obj is None or isinstance(obj, Organisation):
        return obj
    return getattr(obj, "organisation", None)


def role_organisation_ids(user, kinds=BACKOFFICE_ROLES, *, confirmed_only: bool = True) -> set[int]:
    """The organisations where USER holds one of KINDS directly (cached on the user object).

    Only active roles count (accounts.enrolment: a role is pending until its holder enrolled their second
    factor by link or at a desk); every predicate below, and the components' named permissions built with
    `role_predicate`, read roles through here and nowhere else.

    Roles only count in a session confirmed by a second factor: SecondFactorMiddleware marks a web
    user whose session did not pass 2FA, who is then treated as a member of the public (no drafts, no
    back-office rights). Users from API tokens carry no mark: tokens are created from a 2FA session.
    """
    if user is None or not user.is_authenticated:
        return set()
    if confirmed_only and getattr(user, "concerto_second_factor", True) is False:
        return set()
    cache = user.__dict__.setdefault("_concerto_role_cache", {})
    key = tuple(sorted(kinds))
    if key not in cache:
        cache[key] = set(
            Role.objects.active().filter(user=user, kind__in=kinds).values_list("organisation_id", flat=True)
        )
    return cache[key]


def organisation_ids_managed_by(user, kinds=BACKOFFICE_ROLES) -> set[int]:
    """Every organisation where USER holds one of KINDS, directly or through an ancestor."""
    from concerto.core.territory.models import Organisation

    ids: set[int] = set()
    for organisation in Organisation.objects.filter(pk__in=role_organisation_ids(user, kinds)):
        ids |= organisation.descendant_ids()
    return ids


def has_role(user, organisation, kinds=BACKOFFICE_ROLES) -> bool:
    organisation = _organisation_of(organisation)
    if organisation is None or user is None or not user.is_authenticated:
        return False
    held = role_organisation_ids(user, kinds)
    if not held:
        return False
    node = organisation
    while node is not None:
        if node.pk in held:
            return True
        node = node.parent
    return False


def role_predicate(name: str, *kinds):
    """A `rules` predicate: the user holds one of the role KINDS on the object's organisation or above
    (an Organisation, or anything with `.organisation`: a space, a component). Components build their
    named permissions with it (the manifest's `permissions`)."""

    def holds(user, obj=None) -> bool:
        return has_role(user, obj, kinds)

    return rules.predicate(holds, name=name)


@rules.predicate
def is_manager(user, obj) -> bool:
    return has_role(user, obj, MANAGER_ROLES)


@rules.predicate
def is_admin(user, obj) -> bool:
    return has_role(user, obj, (Role.Kind.ADMIN,))


@rules.predicate
def is_moderator(user, obj) -> bool:
    return has_role(user, obj, (Role.Kind.ADMIN, Role.Kind.MODERATOR))


@rules.predicate
def has_any_role(user, obj) -> bool:
    return has_role(user, obj, BACKOFFICE_ROLES)


@rules.predicate
def is_metropole_admin(user) -> bool:
    from concerto.core.territory.models import Organisation

    return any(
        org.kind == Organisation.Kind.METROPOLE
        for org in Organisation.objects.filter(pk__in=role_organisation_ids(user, (Role.Kind.ADMIN,)))
    )


@rules.predicate
def is_reader(user, obj) -> bool:
    return has_role(user, obj, READER_ROLES)


@rules.predicate
def is_elected(user, obj) -> bool:
    return has_role(user, obj, (Role.Kind.ELECTED,))


@rules.predicate
def opened_to_elected(user, obj) -> bool:
    """The organisation of OBJ lets its elected officials see personal data and the audit log (a setting
    its administrators turn on)."""
    organisation = _organisation_of(obj)
    return bool(organisation is not None and getattr(organisation, "elected_personal_data", False))


# Back-office: any role on the organisation opens it; what can be changed depends on the role.
VIEW_ORGANISATION = "backoffice.view_organisation"
READ = "spaces.read_space"  # the pages that inform a decision: lists, figures, results, the overview
MANAGE = "spaces.manage_space"  # create, edit, publish spaces and their components
VIEW_PERSONAL_DATA = "participation.view_personal_data"  # names, emails, answers of registrants and respondents
VIEW_AUDIT = "participation.view_audit"
rules.add_perm(VIEW_ORGANISATION, has_any_role)
rules.add_perm(READ, is_reader)
rules.add_perm(MANAGE, is_manager)
rules.add_perm("accounts.manage_roles", is_admin)
rules.add_perm("participation.moderate", is_moderator)
rules.add_perm(VIEW_PERSONAL_DATA, is_manager | (is_elected & opened_to_elected))
rules.add_perm(VIEW_AUDIT, is_admin | (is_elected & opened_to_elected))

# Refused to an elected official: the permissions that guard personal data rather than a change.
PERSONAL_DATA_PERMISSIONS = {VIEW_PERSONAL_DATA, VIEW_AUDIT}


def refusal_message(user, obj, permission: str, denied: str = "") -> str:
    """What the 403 page says to USER refused PERMISSION on OBJ: the truth about their role.

    An elected official reads the back-office but changes nothing there, and sees personal data only where
    the commune opened it: they are told so, whatever the page's own sentence (DENIED) says to other roles.
    """
    if is_elected(user, obj) and not is_manager(user, obj):
        if permission in PERSONAL_DATA_PERMISSIONS:
            return _("Your role as an elected official gives read access to the back-office pages that inform a "
                     "decision, not to the personal data of residents nor to the audit log: the commune's "
                     "administrators can open them to elected officials in its settings.")
        return _("Your role as an elected official gives read access to the back-office: you can consult "
                 "the lists, figures and results, but creating, changing or deleting is for the members of the "
                 "team whose role allows it.")
    if not has_any_role(user, obj):
        return _("You do not have access to this organisation's back-office.")
    return str(denied) if denied else _("Your role in this organisation does not allow this action.")


def may_open(user, path: str) -> bool:
    """Whether USER may read the page at PATH (a back-office page asks the permission its view declares,
    `backoffice_view`'s read permission, on the organisation of its URL). Pages link others through here
    (the `allowed_url` template tag) so that nobody is shown a link that answers 403."""
    from django.urls import Resolver404, resolve

    from concerto.core.territory.models import Organisation

    try:
        match = resolve(path.split("?", 1)[0])
    except Resolver404:
        return False
    permission = getattr(match.func, "concerto_read_permission", None)
    if permission is None:
        return True
    slug = match.kwargs.get("org_slug")
    cache = user.__dict__.setdefault("_concerto_organisation_cache", {}) if user is not None else {}
    if slug not in cache:
        cache[slug] = Organisation.objects.filter(slug=slug).first() if slug else None
    return bool(user is not None and user.has_perm(permission, cache[slug]))


def user_has_backoffice(user) -> bool:
    """Whether USER holds any active role, 2FA passed or not (to show the way to the back-office and its 2FA
    step). Pending roles open nothing: their holder first follows the link sent to them."""
    return bool(role_organisation_ids(user, confirmed_only=False)) or bool(user.is_authenticated and user.is_superuser)


def assignable_agents(organisation):
    """The people an item of ORGANISATION may be assigned to (a report, a proposal to evaluate): the active
    agents and administrators of ORGANISATION or of an organisation above it."""
    from django.contrib.auth import get_user_model

    ids, node = [], organisation
    while node is not None:
        ids.append(node.pk)
        node = node.parent
    return get_user_model().objects.filter(
        roles__organisation_id__in=ids, roles__kind__in=MANAGER_ROLES, roles__activated_at__isnull=False,
        is_active=True,
    ).distinct().order_by("display_name", "pk")
