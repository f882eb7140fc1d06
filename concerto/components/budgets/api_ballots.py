"""Voting through the API (mounted at /api/v1/budgets/): cast or change one's ballot, read it, withdraw it.

The caller votes as themselves, with a personal token (`Authorization: Bearer <key>`) or the site's session
(with the CSRF token). The same service as the web page decides (ballots.ballot_cast), with the same
messages: 403 when the caller may not vote (closed, unverified...), 409 when this person already voted on
paper, 422 when the ballot breaks the budget's rules. Each error has a `code` for programs.
"""

from datetime import datetime

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from concerto.api.auth import WRITE_AUTH
from concerto.api.common import ErrorOut, Id, ValidationErrorOut
from concerto.components.budgets import ballots
from concerto.components.budgets.models import Ballot, Budget
from concerto.core.participation.models import Channel

router = Router(tags=["budgets"])


class BallotIn(Schema):
    choices: list[Id] | dict[str, int] = Field(
        description="The projects chosen: a list of project ids (approval and knapsack ballots), or an object "
                    "{\"<project id>\": points} (cumulative ballots).",
        json_schema_extra={"maxItems": ballots.MAX_CHOICES})


class ChoiceOut(Schema):
    project: int
    points: int


class BallotOut(Schema):
    budget: int
    channel: str
    choices: list[ChoiceOut]
    created_at: datetime
    updated_at: datetime


class BallotErrorOut(Schema):
    detail: str
    code: str = Field(description="sign_in, closed, not_published, unverified, too_young, age_unknown, "
                                  "already_voted, empty, invalid, unknown_project, other_budget, not_on_ballot, "
                                  "too_many, over_budget, under_min_share, over_points or over_cap; "
                                  "csrf_failed when a session sent no valid CSRF token.")


def _budget(budget_id: int) -> Budget:
    budget = ballots.ballot_box(budget_id)
    if budget is None:
        raise Http404(_("This budget does not exist or is not published."))
    return budget


def _out(ballot: Ballot, choices: dict[int, int] | None = None) -> dict:
    if choices is None:
        choices = dict(ballot.choices.values_list("project_id", "points"))
    return {"budget": ballot.budget_id, "channel": ballot.channel, "created_at": ballot.created_at,
            "updated_at": ballot.updated_at,
            "choices": [{"project": project_id, "points": points} for project_id, points in sorted(choices.items())]}


def _refused(error: ballots.BallotError):
    return Status(error.status, {"detail": error.message, "code": error.code})


ERRORS = {401: ErrorOut, 403: BallotErrorOut, 404: ErrorOut, 409: BallotErrorOut,
          422: BallotErrorOut | ValidationErrorOut}


@router.put("/budgets/{budget_id}/ballot", auth=WRITE_AUTH, response={200: BallotOut, 201: BallotOut, **ERRORS},
            summary="Cast or change my ballot")
def ballot_put(request, budget_id: Id, payload: BallotIn):
    """Cast your ballot in a budget, or replace the one you cast (until the vote closes): 201 the first time,
    200 when it replaces your previous ballot."""
    budget = _budget(budget_id)
    try:
        chosen = ballots.normalise_choices(payload.choices)
        ballot = ballots.ballot_cast(voter=request.auth, budget=budget, choices=chosen, channel=Channel.API)
    except ballots.BallotError as error:
        return _refused(error)
    # A superseded request answers with the ballot that stays, the voter's later one.
    superseded = getattr(ballot, "superseded", False)
    return Status(201 if ballot.created else 200, _out(ballot, None if superseded else chosen))


@router.post("/budgets/{budget_id}/ballot", auth=WRITE_AUTH, response={200: BallotOut, 201: BallotOut, **ERRORS},
             summary="Cast or change my ballot (same as PUT)")
def ballot_post(request, budget_id: Id, payload: BallotIn):
    """The same as PUT, for clients that only send POST."""
    return ballot_put(request, budget_id, payload)


@router.get("/budgets/{budget_id}/ballot", auth=WRITE_AUTH, response={200: BallotOut, 401: ErrorOut, 404: ErrorOut,
                                                                      422: ValidationErrorOut},
            summary="My ballot")
def ballot_get(request, budget_id: Id):
    budget = _budget(budget_id)
    ballot = Ballot.objects.filter(budget=budget, voter=request.auth).first()
    if ballot is None:
        raise Http404(_("You have not voted in this budget."))
    return _out(ballot)


@router.delete("/budgets/{budget_id}/ballot", auth=WRITE_AUTH,
               response={204: None, 401: ErrorOut, 403: BallotErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
               summary="Withdraw my ballot")
def ballot_delete(request, budget_id: Id):
    budget = _budget(budget_id)
    try:
        withdrawn = ballots.ballot_withdraw(voter=request.auth, budget=budget)
    except ballots.BallotError as error:
        return _refused(error)
    if not withdrawn:
        raise Http404(_("You have not voted in this budget."))
    return Status(204, None)
