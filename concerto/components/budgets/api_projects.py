"""Projects of participatory budgets in the API (under /api/v1/budgets/): read only, public projects only.

Nothing about the people: no author, no email, no evaluator, no internal notes. Whether a project is on the
ballot (and its number) shows only once the collectivité has published the list put to the vote.
"""

from datetime import date, datetime
from typing import Literal

from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from concerto.api.common import NO_NUL, ErrorOut, Id, Pagination, Slug, ValidationErrorOut, filter_by_place
from concerto.components.budgets.forms import filter_by_status
from concerto.components.budgets.models import Budget, Category, Project
from concerto.core.accountability.services import with_action_figures
from concerto.core.participation.submissions.api import SubmissionOut
from concerto.core.richtext import sanitize_html
from concerto.core.spaces.categories.api import CategoryOut, public_categories

router = Router(tags=["budgets"])

PUBLIC_COMPONENTS = {"component__published": True, "component__space__status": "published"}


class ReviewOut(Schema):
    eligibility: str = Field(description="eligible, ineligible, or empty when not reviewed yet.")
    eligibility_reason: str = Field(description="Why the project is not eligible (sanitised HTML).")
    feasibility: str = Field(description="feasible, with_changes, not_feasible, or empty.")
    public_answer: str = Field(description="The collectivité's public answer (sanitised HTML).")
    answered_at: datetime | None


class FollowUpOut(Schema):
    stage: str = Field(description="Stage of the winning project's action: planned, studies, works, done, "
                                   "abandoned; empty before its follow-up began.")
    progress: int = Field(description="Percent done.")
    works_start: date | None = Field(description="Planned start of the works.")
    works_end: date | None = Field(description="Planned end of the works.")


class ProjectOut(SubmissionOut):
    id: int
    title: str
    text: str = Field(description="Sanitised HTML.")
    budget: int | None
    budget_name: str | None
    category: str | None
    category_id: int | None
    commune: str | None = Field(description="Slug of the commune at the project's location.")
    latitude: float | None
    longitude: float | None
    address: str = Field("", description="Address of the location: given by the author, else found at the point.")
    image: str | None
    image_alt: str
    estimated_cost: int | None = Field(description="The author's estimate, in euros.")
    final_cost: int | None = Field(description="The services' cost, in euros: the cost on the ballot.")
    review: ReviewOut
    merged_into: int | None
    on_ballot: bool = Field(description="Put to the vote (once the list is published).")
    ballot_number: int | None
    selected: bool = Field(description="A winning project.")
    follow_up: FollowUpOut
    comments: int
    created_at: datetime
    organisation: str
    space: int
    component: int
    url: str

    @staticmethod
    def resolve_text(obj) -> str:
        return sanitize_html(obj.text)

    @staticmethod
    def resolve_budget(obj) -> int | None:
        return obj.budget_id

    @staticmethod
    def resolve_budget_name(obj) -> str | None:
        return obj.budget.name if obj.budget else None

    @staticmethod
    def resolve_review(obj) -> dict:
        return {"eligibility": obj.eligibility, "eligibility_reason": obj.eligibility_reason,
                "feasibility": obj.feasibility, "public_answer": obj.public_answer, "answered_at": obj.answered_at}

    @staticmethod
    def resolve_merged_into(obj) -> int | None:
        return obj.merged_into_id

    @staticmethod
    def resolve_on_ballot(obj) -> bool:
        return bool(obj.on_ballot and obj.budget and obj.budget.ballot_published_at)

    @staticmethod
    def resolve_ballot_number(obj) -> int | None:
        return obj.ballot_number if obj.on_ballot and obj.budget and obj.budget.ballot_published_at else None

    @staticmethod
    def resolve_follow_up(obj) -> dict:
        # Annotated by with_action_figures: the project's action in the kernel's decisions and actions.
        return {"stage": getattr(obj, "action_stage", None) or "", "progress": getattr(obj, "action_progress", 0) or 0,
                "works_start": getattr(obj, "action_start", None), "works_end": getattr(obj, "action_end", None)}


class BudgetOut(Schema):
    id: int
    name: str
    description: str
    amount: int = Field(description="In euros.")
    voters_area: str = Field(description="Slug of the organisation whose residents may vote.")
    ballot_kind: str = Field(description="approval, knapsack or cumulative.")
    max_choices: int = Field(description="Approval: most projects on a ballot (0: no limit).")
    min_share: int = Field(description="Knapsack: smallest share of the amount a ballot must spend, in percent.")
    points: int = Field(description="Cumulative: points per voter.")
    max_points_per_project: int = Field(description="Cumulative: most points on one project (0: no cap).")
    rule: str = Field(description="greedy or mes (Method of Equal Shares).")
    ballot_published_at: datetime | None
    component: int

    @staticmethod
    def resolve_voters_area(obj) -> str:
        return obj.voters_area.slug

    @staticmethod
    def resolve_component(obj) -> int:
        return obj.component_id


class ProjectFilters(Schema):
    organisation: Slug | None = Field(None, description="Slug of the organisation running the space.")
    space: Id | None = Field(None, description="Id of the participation space.")
    component: Id | None = Field(None, description="Id of the budgets component.")
    budget: Id | None = Field(None, description="Id of a budget (envelope).")
    category: Id | None = Field(None, description="Id of a category.")
    commune: Slug | None = Field(None, description="Slug of the commune where the projects are located.")
    status: Literal["pending", "eligible", "ineligible", "ballot", "selected", "merged"] | None = Field(
        None, description="Review status, `ballot` (put to the vote) or `selected` (winning projects).")
    q: str = Field("", max_length=100, pattern=NO_NUL, description="Words to find in the title or the text.")


RELATED = ("budget", "category", "commune", "component__space__organisation")


@router.get("/projects", response=list[ProjectOut], summary="List public projects")
@paginate(Pagination)
def project_list(request, filters: Query[ProjectFilters]):
    """Projects of published components of published spaces; hidden and withdrawn ones left out."""
    projects = with_action_figures(Project.objects.public().select_related(*RELATED))
    projects = filter_by_place(projects, filters)
    if filters.budget:
        projects = projects.filter(budget_id=filters.budget)
    if filters.category:
        projects = projects.filter(category_id=filters.category)
    if filters.q.strip():
        q = filters.q.strip()
        projects = projects.filter(Q(title__icontains=q) | Q(text__icontains=q))
    projects = filter_by_status(projects, filters.status or "")
    return projects.order_by("created_at", "pk")


@router.get("/projects/{project_id}", response={200: ProjectOut, 404: ErrorOut, 422: ValidationErrorOut},
            summary="One public project")
def project_detail(request, project_id: Id):
    project = with_action_figures(Project.objects.public().select_related(*RELATED)).filter(pk=project_id).first()
    if project is None:
        raise Http404(_("This project does not exist or is not published."))
    return project


@router.get("/categories", response=list[CategoryOut], summary="Categories of public budgets components")
@paginate(Pagination)
def category_list(request, component: Id | None = None):
    return public_categories(Category, component)


@router.get("/budgets", response=list[BudgetOut], summary="Budgets (envelopes) of public budgets components")
@paginate(Pagination)
def budget_list(request, component: Id | None = None):
    budgets = Budget.objects.filter(**PUBLIC_COMPONENTS).select_related("scope", "component__space__organisation")
    if component:
        budgets = budgets.filter(component_id=component)
    return budgets.order_by("component_id", "position", "pk")
