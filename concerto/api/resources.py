"""The resource centre's process templates (issue 18): the published ones, for anyone, at
/api/v1/resources/templates (paged with `items`) and /api/v1/resources/templates/{slug}."""

from typing import Any, Literal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from concerto.api.common import ErrorOut, Pagination, Slug, ValidationErrorOut
from concerto.core.resources.models import ProcessTemplate

router = Router(tags=["resources"])


class ResourceTemplateOut(Schema):
    slug: str
    name: str
    summary: str
    kind: str
    audience: str
    duration_days: int = Field(description="Suggested length of the whole process, in days.")
    organisation: str = Field(description="Slug of the organisation that shares it.")
    steps_count: int
    guides: list[str] = Field(description="Slugs of the guides linked to it.")
    url: str

    @staticmethod
    def resolve_organisation(obj) -> str:
        return obj.organisation.slug

    @staticmethod
    def resolve_steps_count(obj) -> int:
        return len(obj.steps)

    @staticmethod
    def resolve_guides(obj) -> list[str]:
        return [guide.slug for guide in obj.guides.all() if guide.published]

    @staticmethod
    def resolve_url(obj, context) -> str:
        return context["request"].build_absolute_uri(obj.get_absolute_url())


class ResourceStepOut(Schema):
    title: str
    description: str = ""
    guidance: str = ""
    offset_days: int = Field(description="Days from the start of the process to the start of the step.")
    duration_days: int


class ResourceComponentOut(Schema):
    kind: str
    title: str
    settings: dict[str, Any] = {}
    content: dict[str, Any] = Field({}, description="What the component keeps: questions, categories.")


class ResourceTemplateDetailOut(ResourceTemplateOut):
    description: str
    steps: list[ResourceStepOut]
    components: list[ResourceComponentOut]


class ResourceTemplateFilters(Schema):
    kind: Literal[tuple(ProcessTemplate.Kind.values)] | None = None  # type: ignore[valid-type]
    audience: Literal[tuple(ProcessTemplate.Audience.values)] | None = None  # type: ignore[valid-type]


def _published():
    return ProcessTemplate.objects.published().select_related("organisation").prefetch_related("guides")


@router.get("/templates", response=list[ResourceTemplateOut], summary="List process templates")
@paginate(Pagination)
def template_list(request, filters: Query[ResourceTemplateFilters]):
    """The published process templates of the resource centre, by name."""
    queryset = _published()
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.audience:
        queryset = queryset.filter(audience=filters.audience)
    return queryset


@router.get("/templates/{slug}", summary="One process template",
            response={200: ResourceTemplateDetailOut, 404: ErrorOut, 422: ValidationErrorOut})
def template_detail(request, slug: Slug):
    template = _published().filter(slug=slug).first()
    if template is None:
        raise Http404(_("No published template has the slug “%(slug)s”.") % {"slug": slug})
    return template
