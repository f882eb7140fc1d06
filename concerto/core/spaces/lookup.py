"""The one way to fetch "the component (or item) in this URL" together with its permission check.

Every page of a component has `org_slug`, `space_slug` and `component_id` in its URL. The organisation is
the request's (OrganisationMiddleware resolved it), so the component must belong to a space of *that*
organisation: a Montreuil agent who types a Sceaux component id in a Montreuil URL gets a 404, not Sceaux's
data. Views never filter `space__organisation=` themselves; they ask here:

    component = component_for(request, "reports", space_slug=space_slug, component_id=component_id,
                              permission="reports.read_reports")          # back-office
    component, can_manage = public_component_for(request, "events", space_slug=..., component_id=...)
    event = item_for(component, component.events, event_id)             # an item of that component

`permission` is a named `rules` permission (a manifest's `permissions`, or a kernel one such as
`spaces.manage_space`) asked about the component: `request.user.has_perm(name, component)`. A user
without it gets the 403 page with DENIED (or a general sentence). Anything not found is the 404 page,
whose text does not depend on what was missing.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404
from django.utils.translation import gettext as _

from concerto.core.accounts.permissions import refusal_message
from concerto.core.spaces.models import Component, Space

MANAGE = "spaces.manage_space"


def _not_found() -> Http404:
    return Http404(_("This page does not exist."))


def require(request, permission: str, obj, denied: str = "") -> None:
    """A 403 page (saying DENIED) unless the request's user holds the named PERMISSION on OBJ."""
    if not request.user.has_perm(permission, obj):
        raise PermissionDenied(refusal_message(request.user, obj, permission, denied))


def _in_organisation(request, kind: str, space_slug: str, component_id: int) -> Component:
    organisation = getattr(request, "organisation", None)
    if organisation is None:
        raise _not_found()
    component = (Component.objects.select_related("space__organisation").prefetch_related("space__steps")
                 .filter(pk=component_id, kind=kind, space__slug=space_slug, space__organisation=organisation)
                 .first())
    if component is None:
        raise _not_found()
    return component


def space_for(request, space_slug: str, *, published_only: bool = False) -> Space:
    """The space SPACE_SLUG of the request's organisation: whatever its publication (for the back-office),
    or only a published one with PUBLISHED_ONLY (feeds)."""
    spaces = Space.objects.published() if published_only else Space.objects.all()
    space = spaces.filter(organisation=getattr(request, "organisation", None), slug=space_slug).first()
    if space is None:
        raise _not_found()
    return space


def component_for(request, kind: str, *, space_slug: str, component_id: int, permission: str | None = None,
                  denied: str = "") -> Component:
    """The KIND component of the URL, in a space of the request's organisation, whatever its publication
    (for the back-office); with PERMISSION, a 403 page saying DENIED for a user who lacks it there."""
    component = _in_organisation(request, kind, space_slug, component_id)
    if permission is not None:
        require(request, permission, component, denied)
    return component


def public_component_for(request, kind: str, *, space_slug: str, component_id: int,
                         preview: str | None = MANAGE) -> tuple[Component, bool]:
    """The KIND component of the URL for a public page, and whether the user manages it.

    A component that is unpublished, or in an unpublished space, is a 404 except for the holders of the
    PREVIEW permission (the organisation's managers by default; None: nobody, e.g. feeds)."""
    component = _in_organisation(request, kind, space_slug, component_id)
    can_manage = preview is not None and request.user.has_perm(MANAGE, component)
    if not (component.published and component.space.is_published):
        if not (can_manage or (preview not in (None, MANAGE) and request.user.has_perm(preview, component))):
            raise _not_found()
    return component, can_manage


def component_by_id(kind: str, component_id: int, *, not_found: str, published_only: bool = False) -> Component:
    """For the API, whose URLs name no organisation: the KIND component COMPONENT_ID (only if published in a
    published space with PUBLISHED_ONLY), else a 404 saying NOT_FOUND (the API shows it). A write then asks
    its permission on the component's organisation (`api.auth.require_permission`, a 404 when not public)."""
    components = Component.objects.select_related("space__organisation").filter(pk=component_id, kind=kind)
    if published_only:
        components = components.filter(published=True, space__status=Space.Status.PUBLISHED)
    component = components.first()
    if component is None:
        raise Http404(not_found)
    return component


def item_for(component: Component, source, pk: int, *, field: str | None = "component"):
    """The item PK of SOURCE (a model, a manager or a queryset) that belongs to COMPONENT; a 404 otherwise.

    SOURCE is filtered on `FIELD=component` ("component" by default); pass field=None when SOURCE is
    already scoped to the component in another way (the reports of the component's organisations). The
    item's `component` is set to COMPONENT, so pages do not fetch it again."""
    queryset = source._default_manager.all() if isinstance(source, type) and issubclass(source, Model) \
        else source.all()
    if field is not None:
        queryset = queryset.filter(**{field: component})
    item = queryset.filter(pk=pk).first()
    if item is None:
        raise _not_found()
    if field == "component":
        item.component = component
    return item
