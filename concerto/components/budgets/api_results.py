"""Results of participatory budgets in the API (part of the budgets router, see api.py): the published
results of a budget and its anonymous ballots as a pabulib file. A result that is not published, or a budget
of a component or space that is not public, is a 404 for everyone, staff included (they use the back-office).
"""

from datetime import datetime

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from concerto.api.common import ErrorOut, Id, ValidationErrorOut
from concerto.components.budgets import results
from concerto.components.budgets.models import Budget
from concerto.components.budgets.results_views import pabulib_response

router = Router()


class ProjectResultOut(Schema):
    id: int = Field(description="Id of the project (also its id in the pabulib file).")
    title: str
    category: str
    cost: int = Field(description="Final cost, in euros.")
    votes: int = Field(description="Voters who chose it (approval, knapsack) or points it received (cumulative).")
    selected: bool
    order: int | None = Field(description="1 for the first project the rule selected; null when not selected.")
    reason: str = Field(description="selected, does_not_fit, supporters_short or no_votes.")
    explanation: str = Field(description="Why it won or lost, in a sentence (in the request's language).")
    share_of_budget: float = Field(description="Its cost as a percentage of the budget.")
    url: str | None


class BudgetResultOut(Schema):
    budget: int
    name: str
    amount: int = Field(description="The budget, in euros.")
    ballot_kind: str
    rule: str = Field(description="greedy or mes (Method of Equal Shares, completed by budget increments).")
    ballots: int = Field(description="Ballots counted.")
    spent: int = Field(description="What the winning projects cost, in euros.")
    published_at: datetime
    winners: list[int] = Field(description="Ids of the winning projects, in the order the rule selected them.")
    projects: list[ProjectResultOut] = Field(description="Every project on the ballot, winners first.")
    pabulib_url: str


def _published_budget(budget_id: int):
    budget = (Budget.objects.select_related("component__space__organisation")
              .filter(pk=budget_id, component__kind="budgets", component__published=True,
                      component__space__status="published").first())
    result = results.published_result(budget) if budget is not None else None
    if result is None:
        raise Http404(_("This budget does not exist or its results are not published."))
    result.budget = budget
    return budget, result


@router.get("/budgets/{budget_id}/results", response={200: BudgetResultOut, 404: ErrorOut, 422: ValidationErrorOut},
            summary="Published results of a budget")
def budget_results(request, budget_id: Id):
    """Winners, and for every project its votes, cost, outcome and why, as on the public results page."""
    budget, result = _published_budget(budget_id)
    report = results.report(result)
    return {
        "budget": budget.pk, "name": budget.name, "amount": budget.amount, "ballot_kind": budget.ballot_kind,
        "rule": result.rule, "ballots": result.ballots, "spent": report.spent, "published_at": result.published_at,
        "winners": [int(pk) for pk in results.outcome_of(result).selected],
        "projects": [{
            "id": int(row.id), "title": row.title, "category": row.category, "cost": row.cost, "votes": row.votes,
            "selected": row.selected, "order": row.order, "reason": row.reason, "explanation": row.explanation,
            "share_of_budget": row.share_of_budget,
            "url": request.build_absolute_uri(row.project.get_absolute_url()) if row.project else None,
        } for row in report.rows],
        "pabulib_url": request.build_absolute_uri(request.path + ".pb"),
    }


PABULIB_RESPONSE = {200: {
    "description": "The pabulib file: plain text (META, PROJECTS and VOTES sections, `;`-separated), sent as "
                   "an attachment.",
    "content": {"text/plain": {"schema": {"type": "string"}}},
}}


# The view answers the file itself: the 200 is described here only, as the text it is.
@router.get("/budgets/{budget_id}/results.pb", response={404: ErrorOut, 422: ValidationErrorOut},
            summary="Anonymous ballots of a budget with published results (pabulib)",
            openapi_extra={"responses": PABULIB_RESPONSE})
def budget_pabulib(request, budget_id: Id):
    """The file anyone can recount with `python manage.py pb_count FILE --rule greedy|mes` or pabutools."""
    _budget, result = _published_budget(budget_id)
    return pabulib_response(result)
