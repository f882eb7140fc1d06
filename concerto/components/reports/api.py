"""The reports component's read API under /api/v1/reports/ (owner: open311 helper): public reports only.

A component's reports are those of its organisation (and, for a territory or the Métropole, of the communes
below it), whichever page or client received them. Nothing personal: no author, email, phone or device.
"""

from datetime import datetime
from typing import Literal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from concerto.api.common import (
    SIMILAR_ERRORS,
    DateTime,
    ErrorOut,
    Id,
    Pagination,
    SimilarItemOut,
    SimilarText,
    Slug,
    ValidationErrorOut,
    organisation_or_404,
    similar_items,
)
from concerto.components.reports import queries
from concerto.components.reports.models import Report
from concerto.core.spaces.lookup import component_by_id
from concerto.core.spaces.models import Component

router = Router(tags=["reports"])

CLOSED = ("resolved", "rejected", "duplicate")


class ReportOut(Schema):
    id: int
    kind: str = Field(description="malfunction, congratulation or proposal.")
    status: str = Field(description="new, acknowledged, in_progress, resolved, rejected or duplicate.")
    open: bool
    category: str
    category_code: str
    commune: str = Field(description="Slug of the commune at the report's point.")
    insee_code: str
    description: str
    address: str
    latitude: float
    longitude: float
    me_too: int
    public_answer: str
    duplicate_of: int | None
    created_at: datetime
    resolved_at: datetime | None
    url: str

    @staticmethod
    def resolve_open(obj) -> bool:
        return obj.is_open

    @staticmethod
    def resolve_category(obj) -> str:
        return obj.category.name

    @staticmethod
    def resolve_category_code(obj) -> str:
        return obj.category.code

    @staticmethod
    def resolve_commune(obj) -> str:
        return obj.organisation.slug

    @staticmethod
    def resolve_insee_code(obj) -> str:
        return obj.organisation.insee_code

    @staticmethod
    def resolve_me_too(obj) -> int:
        return obj.support_count

    @staticmethod
    def resolve_duplicate_of(obj) -> int | None:
        return obj.duplicate_of_id

    @staticmethod
    def resolve_url(obj, context) -> str:
        return context["request"].build_absolute_uri(obj.get_absolute_url())


class ReportFilters(Schema):
    component: Id | None = Field(None, description="Id of a published reports component: its organisation's reports.")
    commune: Slug | None = Field(None, description="Slug of the commune at the reports' points.")
    category: Id | None = Field(None, description="Id of a category.")
    status: Literal["open", "closed", "new", "acknowledged", "in_progress", "resolved", "rejected",
                    "duplicate"] | None = Field(None, description="`open`, `closed` or one status.")
    kind: Literal["malfunction", "congratulation", "proposal"] | None = None
    since: DateTime | None = Field(None, description="Reports sent on or after this date and time (ISO 8601; "
                                                     "offset within ±15:59, year 1900 to 2999).")


def _component_or_404(component_id: int) -> Component:
    return component_by_id("reports", component_id, published_only=True,
                           not_found=_("This reports component does not exist or is not published."))


def _organisation_ids(component: Component) -> set[int]:
    organisation = component.space.organisation
    return organisation.descendant_ids()


RELATED = ("category", "organisation")


@router.get("/reports", response=list[ReportOut], summary="List public reports")
@paginate(Pagination)
def report_list(request, filters: Query[ReportFilters]):
    """Public reports (hidden ones left out), most recent first."""
    reports = Report.objects.public().select_related(*RELATED)
    if filters.component:
        reports = reports.filter(organisation_id__in=_organisation_ids(_component_or_404(filters.component)))
    if filters.commune:
        reports = reports.filter(organisation=organisation_or_404(filters.commune))
    if filters.category:
        reports = reports.filter(category_id=filters.category)
    if filters.status == "open":
        reports = reports.filter(status__in=Report.OPEN_STATUSES)
    elif filters.status == "closed":
        reports = reports.filter(status__in=CLOSED)
    elif filters.status:
        reports = reports.filter(status=filters.status)
    if filters.kind:
        reports = reports.filter(kind=filters.kind)
    if filters.since:
        reports = reports.filter(created_at__gte=filters.since)
    return reports.order_by("-created_at", "-pk")


@router.get("/reports/map", summary="Public reports on a map (GeoJSON, at most 500 features)",
            response={200: dict, 400: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut})
def report_map(request, component: Id,
               bbox: str = Query(..., max_length=200, description="west,south,east,north in WGS84."),
               zoom: int = Query(14, ge=0, le=22), category: Id | None = None,
               status: Literal["open", "closed"] | None = None):
    """Single reports when few are in the box or the zoom is high, else clusters with their counts."""
    organisation_ids = _organisation_ids(_component_or_404(component))
    filters = {"category": [category] if category else None, "status": status}
    try:
        return queries.map_features(organisation_ids=organisation_ids, bbox=bbox, zoom=zoom,
                                    filters={k: v for k, v in filters.items() if v})
    except queries.BadQuery:
        raise HttpError(400, _("bbox must be four numbers: west,south,east,north.")) from None


class SimilarReportOut(SimilarItemOut):
    category: str
    description: str
    status: str = Field(description="new, acknowledged or in_progress: only open reports are suggested.")
    me_too: int
    distance_m: int | None = Field(description="Metres from the point sent (latitude, longitude); null without.")


@router.get("/reports/similar", response={200: list[SimilarReportOut], **SIMILAR_ERRORS},
            summary="Open public reports similar to a text, before posting one")
def report_similar(request, organisation: Slug, text: SimilarText = "",
                   latitude: float | None = Query(None, ge=-90, le=90),
                   longitude: float | None = Query(None, ge=-180, le=180)):
    """Up to 5 open public reports of the organisation (a commune, or a territory and its communes) whose
    description is closest to `text`, the closest first, whatever their place: a client shows them before
    posting, so that the resident says “me too” on an existing report. With `latitude` and `longitude`, each
    says how far it is. Look-ups are limited per sender (429 with `Retry-After`)."""
    place = organisation_or_404(organisation)
    point = (latitude, longitude) if latitude is not None and longitude is not None else None
    return similar_items(request, lambda typed: queries.similar_open(place, typed, point=point), text,
                         lambda report: {
                             "category": report.category.name, "description": report.description,
                             "status": report.status, "me_too": report.support_count,
                             "distance_m": round(report.distance_m) if report.distance_m is not None else None})


@router.get("/reports/{report_id}", response={200: ReportOut, 404: ErrorOut, 422: ValidationErrorOut},
            summary="One public report")
def report_detail(request, report_id: Id):
    report = Report.objects.public().select_related(*RELATED).filter(pk=report_id).first()
    if report is None:
        raise Http404(_("This report does not exist or is not public."))
    return report
