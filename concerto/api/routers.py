"""The kernel's part of the API: organisations, spaces, and the caller's own account."""

from datetime import date, datetime
from typing import Literal

from django.http import Http404
from django.urls import NoReverseMatch
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from concerto.api.auth import WRITE_AUTH, api_user
from concerto.api.common import ErrorOut, Id, Pagination, Slug, ValidationErrorOut, organisation_or_404
from concerto.core.participation import feed
from concerto.core.spaces.models import Space
from concerto.core.territory.models import Organisation

# ---------------------------------------------------------------- organisations

organisations = Router(tags=["organisations"])


class OrganisationOut(Schema):
    slug: str
    name: str
    kind: str
    code: str
    insee_code: str
    siren: str
    departement: str
    population: int | None
    postcodes: list[str]
    parent: str | None
    url: str

    @staticmethod
    def resolve_parent(obj) -> str | None:
        return obj.parent.slug if obj.parent_id else None

    @staticmethod
    def resolve_url(obj, context) -> str:
        return context["request"].build_absolute_uri(obj.get_absolute_url())


class OrganisationFilters(Schema):
    kind: Literal["metropole", "territory", "commune"] | None = None
    parent: Slug | None = Field(None, description="Slug of the parent organisation.")
    q: str | None = Field(None, max_length=100, description="Name, postcode or INSEE code.")


@organisations.get("/organisations", response=list[OrganisationOut], summary="List organisations")
@paginate(Pagination)
def organisation_list(request, filters: Query[OrganisationFilters]):
    """The Métropole, its territories and its communes, by name; `q` searches like the site does."""
    queryset = Organisation.objects.select_related("parent").order_by("name", "pk")
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.parent:
        queryset = queryset.filter(parent=organisation_or_404(filters.parent))
    if filters.q and filters.q.strip():
        return queryset.search(filters.q.replace("\x00", ""))
    return queryset


@organisations.get("/organisations/{slug}", summary="One organisation",
                   response={200: OrganisationOut, 404: ErrorOut, 422: ValidationErrorOut})
def organisation_detail(request, slug: Slug):
    return organisation_or_404(slug)


# ---------------------------------------------------------------- spaces

spaces = Router(tags=["spaces"])


class SpaceOut(Schema):
    id: int
    title: str
    slug: str
    organisation: str
    status: str
    summary: str
    start_date: date | None
    end_date: date | None
    published_at: datetime | None
    scope: list[str]
    url: str

    @staticmethod
    def resolve_organisation(obj) -> str:
        return obj.organisation.slug

    @staticmethod
    def resolve_scope(obj) -> list[str]:
        return [organisation.slug for organisation in obj.scope.all()]

    @staticmethod
    def resolve_url(obj, context) -> str:
        return context["request"].build_absolute_uri(obj.get_absolute_url())


class StepOut(Schema):
    id: int
    title: str
    description: str
    start_date: date
    end_date: date
    position: int
    state: str

    @staticmethod
    def resolve_state(obj) -> str:
        return obj.state()


class ComponentOut(Schema):
    id: int
    kind: str
    title: str
    url: str | None

    @staticmethod
    def resolve_url(obj, context) -> str | None:
        try:
            return context["request"].build_absolute_uri(obj.get_absolute_url())
        except NoReverseMatch:  # a component without public pages
            return None


class SpaceDetailOut(SpaceOut):
    description: str
    image: str | None
    image_alt: str
    steps: list[StepOut]
    components: list[ComponentOut]

    @staticmethod
    def resolve_image(obj, context) -> str | None:
        return context["request"].build_absolute_uri(obj.image.url) if obj.image else None

    @staticmethod
    def resolve_steps(obj) -> list:
        return list(obj.steps.all())

    @staticmethod
    def resolve_components(obj) -> list:
        return list(obj.components.published())


class SpaceFilters(Schema):
    organisation: Slug | None = Field(None, description="Slug of the organisation that runs the space.")
    descendants: bool = Field(False, description="Also the spaces of the organisations below it.")
    status: Literal["draft", "published", "archived"] | None = Field(
        None, description="Drafts and archives are listed only for people with a role on the organisation.")


@spaces.get("/spaces", response=list[SpaceOut], summary="List participation spaces")
@paginate(Pagination)
def space_list(request, filters: Query[SpaceFilters]):
    """Published spaces; callers with a role on an organisation also see its unpublished ones."""
    queryset = (
        Space.objects.visible_to(api_user(request))
        .select_related("organisation").prefetch_related("scope")
        .order_by("-start_date", "title", "pk")
    )
    if filters.organisation:
        found = organisation_or_404(filters.organisation)
        if filters.descendants:
            queryset = queryset.filter(organisation_id__in=found.descendant_ids())
        else:
            queryset = queryset.filter(organisation=found)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    return queryset


@spaces.get("/spaces/{space_id}", summary="One participation space",
            response={200: SpaceDetailOut, 404: ErrorOut, 422: ValidationErrorOut})
def space_detail(request, space_id: Id):
    """The space with its steps and its published components."""
    space = (
        Space.objects.visible_to(api_user(request))
        .select_related("organisation").prefetch_related("scope", "steps")
        .filter(pk=space_id).first()
    )
    if space is None:
        raise Http404(_("This participation space does not exist or is not published."))
    return space


# ---------------------------------------------------------------- the caller

me = Router(tags=["account"])


class RoleOut(Schema):
    organisation: str
    organisation_name: str
    kind: str

    @staticmethod
    def resolve_organisation(obj) -> str:
        return obj.organisation.slug

    @staticmethod
    def resolve_organisation_name(obj) -> str:
        return obj.organisation.name


class MeOut(Schema):
    email: str
    public_name: str
    roles: list[RoleOut]

    @staticmethod
    def resolve_roles(obj) -> list:
        # Active roles only: a pending role (its holder has not enrolled yet) grants nothing.
        return list(obj.roles.active().select_related("organisation").order_by("organisation__name", "kind"))


@me.get("/me", response={200: MeOut, 401: ErrorOut}, auth=WRITE_AUTH,
        summary="The account behind the request")
def me_detail(request):
    """Your email, public name and roles (session or API token)."""
    return request.auth


class FeedItemOut(Schema):
    kind: str = Field(description="What happened, e.g. `news.published`, `events.published`, `space.published`.")
    title: str
    summary: str
    url: str
    organisation: str
    published_at: datetime
    unread: bool = Field(description="Newer than your last visit to your feed on the site.")


class FeedOut(Schema):
    items: list[FeedItemOut]
    next: str = Field(description="Give it as `before` to read older items; empty on the last page.")


@me.get("/me/feed", response={200: FeedOut, 401: ErrorOut}, auth=WRITE_AUTH, summary="Your feed")
def me_feed(request, before: str = Query("", max_length=80, description="`next` of the previous page."),
            type: str = Query("", max_length=40, description="Only this kind: `space`, `news`, `events`...")):
    """What is new in what you follow (communes, spaces, topics, items), newest first, 20 a page: the items of
    your feed on the site (`/mon-fil/`). Reading it here does not mark them read."""
    page = feed.feed_page(user=request.auth, cursor=before, section=type)
    return {"items": [{"kind": entry.kind, "title": entry.title, "summary": entry.summary,
                       "url": request.build_absolute_uri(entry.url), "organisation": entry.organisation.slug,
                       "published_at": entry.published_at, "unread": entry.pk in page.unread}
                      for entry in page.entries],
            "next": page.next_cursor}
