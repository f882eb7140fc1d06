"""Proposals in the API, mounted by the manifest at /api/v1/proposals/: reading public proposals, and the
back-office's actions (merge, bulk answer and assignment) in api_manage.py.

Nothing personal beyond the public name that the web page also shows next to a proposal: no email, no
list of supporters.
"""

from datetime import datetime
from typing import Literal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from concerto.api.common import (
    NO_NUL,
    SIMILAR_ERRORS,
    ErrorOut,
    Id,
    Pagination,
    SimilarSupportedOut,
    SimilarText,
    Slug,
    ValidationErrorOut,
    filter_by_place,
    similar_items,
)
from concerto.components.proposals import api_manage, queries
from concerto.components.proposals.models import Category, Proposal
from concerto.core.participation.submissions.api import SubmissionOut
from concerto.core.spaces.categories.api import CategoryOut, public_categories
from concerto.core.spaces.lookup import component_by_id

router = Router(tags=["proposals"])
router.add_router("", api_manage.router)


class AnswerOut(Schema):
    status: str = Field(description="under_study, accepted, rejected or implemented; empty when not answered.")
    text: str = Field(description="The collectivité's public answer (sanitised HTML).")
    answered_at: datetime | None


class ProposalOut(SubmissionOut):
    id: int
    title: str
    text: str = Field(description="Sanitised HTML.")
    category: str | None
    category_id: int | None
    commune: str | None = Field(description="Slug of the commune at the proposal's location.")
    latitude: float | None
    longitude: float | None
    address: str = Field("", description="Address of the location: given by the author, else found at the point.")
    image: str | None
    image_alt: str
    author: str | None = Field(description="Public name of the author, as on the proposal's page.")
    created_at: datetime
    withdrawn: bool
    withdrawn_at: datetime | None
    supports: int
    comments: int
    answer: AnswerOut
    organisation: str
    space: int
    component: int
    url: str

    @staticmethod
    def resolve_author(obj) -> str | None:
        return obj.author.public_name if obj.author else None

    @staticmethod
    def resolve_withdrawn(obj) -> bool:
        return obj.is_withdrawn

    @staticmethod
    def resolve_supports(obj) -> int:
        return obj.support_count

    @staticmethod
    def resolve_answer(obj) -> dict:
        return {"status": obj.answer_status, "text": obj.answer_text, "answered_at": obj.answered_at}


class ProposalFilters(Schema):
    organisation: Slug | None = Field(None, description="Slug of the organisation running the space.")
    space: Id | None = Field(None, description="Id of the participation space.")
    component: Id | None = Field(None, description="Id of the proposals component.")
    category: Id | None = Field(None, description="Id of a category.")
    commune: Slug | None = Field(None, description="Slug of the commune where the proposals are located.")
    status: Literal["unanswered", "under_study", "accepted", "rejected", "implemented", "withdrawn"] | None = (
        Field(None, description="Answer status, or `unanswered`, or `withdrawn`."))
    q: str = Field("", max_length=100, pattern=NO_NUL,
                   description="Words to find in the title or the text (accents and case do not matter).")
    order: Literal["recent", "supports", "comments", "random"] = Field(
        "recent", description="`random` gives a stable order for one `seed`, so pages do not overlap.")
    seed: int = Field(0, ge=0, le=queries.MAX_SEED, description="Seed of the random order.")


RELATED = ("category", "commune", "author", "component__space__organisation")


def _public():
    return Proposal.objects.public()


class ProposalPagination(Pagination):
    """The shared `limit` / `offset` pagination, reading a page's ids first (see queries.slice_of), so that
    a deep offset stays fast."""

    def paginate_queryset(self, queryset, pagination, request, **params):
        limit = min(pagination.limit, self.max_limit)
        return {self.items_attribute: queries.slice_of(queryset, pagination.offset, limit, related=RELATED),
                "count": self._items_count(queryset)}


@router.get("/proposals", response=list[ProposalOut], summary="List public proposals")
@paginate(ProposalPagination)
def proposal_list(request, filters: Query[ProposalFilters]):
    """Proposals of published components of published spaces, hidden ones left out; withdrawn ones are
    listed with `withdrawn: true`."""
    proposals = _public()
    proposals = filter_by_place(proposals, filters)
    proposals = queries.filtered(proposals, q=filters.q, category=filters.category, status=filters.status or "")
    return queries.ordered(proposals, filters.order, filters.seed)


@router.get("/proposals/similar", response={200: list[SimilarSupportedOut], **SIMILAR_ERRORS},
            summary="Public proposals similar to a text, before posting one")
def proposal_similar(request, component: Id, text: SimilarText = ""):
    """Up to 5 public proposals of the component (neither withdrawn, merged nor rejected) whose text is closest
    to `text`, the closest first: a client shows them before posting, so that support gathers on an existing
    proposal. Look-ups are limited per sender (429 with `Retry-After`)."""
    found = component_by_id("proposals", component, published_only=True,
                            not_found=_("No published proposals component has this id."))
    return similar_items(request, lambda typed: queries.similar(found, typed), text)


@router.get("/proposals/{proposal_id}", response={200: ProposalOut, 404: ErrorOut, 422: ValidationErrorOut},
            summary="One public proposal")
def proposal_detail(request, proposal_id: Id):
    proposal = _public().select_related(*RELATED).filter(pk=proposal_id).first()
    if proposal is None:
        raise Http404(_("This proposal does not exist or is not published."))
    return proposal


@router.get("/categories", response=list[CategoryOut], summary="Categories of public proposals components")
@paginate(Pagination)
def category_list(request, component: Id | None = None):
    return public_categories(Category, component)
