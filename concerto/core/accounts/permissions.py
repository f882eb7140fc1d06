"""Who may do what, per organisation.

A role held on an organisation applies to it and to every organisation below it: a Métropole
administrator manages everything, a territory agent manages the territory's communes, a commune agent
manages only that commune. Permissions are `rules` predicates so they can be tested as a matrix.
"""

import rules

from concerto.core.accounts.models import Role

MANAGER_ROLES = (Role.Kind.ADMIN, Role.Kind.AGENT)
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


# Back-office: any role on the organisation opens it; what can be changed depends on the role.
rules.add_perm("backoffice.view_organisation", has_any_role)
rules.add_perm("spaces.manage_space", is_manager)  # create, edit, publish spaces and their components
rules.add_perm("accounts.manage_roles", is_admin)
rules.add_perm("participation.moderate", is_moderator)
rules.add_perm("participation.view_audit", is_admin)


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
