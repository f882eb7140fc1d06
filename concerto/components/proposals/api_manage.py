"""The back-office's actions on proposals, through the API (mounted at /api/v1/proposals/): merge duplicates,
answer or assign several proposals at once.

The same service as the back-office's bulk form (`services.proposals_bulk`), the same permission
(`spaces.manage_space`: the agents and administrators of the organisation or above; elected officials read
the list but change nothing, other communes get a 403, or a 404 for what is not public), the same audit
entries and notifications. Proposals are named by id and must all belong to one proposals component.
"""

from typing import Literal

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from concerto.api.auth import WRITE_AUTH, require_permission
from concerto.api.common import NO_NUL, ErrorOut, Id, ValidationErrorOut
from concerto.api.errors import json_error
from concerto.components.proposals import services
from concerto.components.proposals.models import Proposal
from concerto.core.spaces.lookup import component_by_id

router = Router(tags=["proposals"])

MANAGE = "spaces.manage_space"  # as the back-office's list and bulk form
MAX_PROPOSALS = 500
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut, 429: ErrorOut}


class MergeIn(Schema):
    proposals: list[Id] = Field(min_length=1, max_length=MAX_PROPOSALS,
                                description="Ids of the proposals that repeat this one: they are merged into it.")


class MergeOut(Schema):
    id: int = Field(description="The proposal the others joined.")
    merged: list[int] = Field(description="The proposals merged into it.")
    supports: int = Field(description="Its supports now, one per person.")
    comments: int = Field(description="Its visible comments now, those of the merged proposals included.")
    url: str


class BulkIn(Schema):
    component_id: Id = Field(description="Id of the proposals component.")
    proposals: list[Id] = Field(min_length=1, max_length=MAX_PROPOSALS, description="Ids of its proposals.")
    action: Literal["answer", "assign"] = Field(description="`answer` them all the same way, or `assign` them "
                                                            "to an evaluator. To merge, use `/merge`.")
    status: Literal["under_study", "accepted", "rejected", "implemented"] | None = Field(
        None, description="`answer`: the answer.")
    text: str = Field("", max_length=services.ANSWER_MAX_LENGTH, pattern=NO_NUL,
                      description="`answer`: the public answer (HTML is cleaned); needed for a rejection.")
    assignee: Id | None = Field(None, description="`assign`: id of an agent of the organisation (see `GET /me` "
                                                  "for yours); none to unassign.")


class RefusedOut(Schema):
    id: int
    detail: str


class BulkOut(Schema):
    done: list[int] = Field(description="The proposals changed.")
    refused: list[RefusedOut] = Field(description="The proposals left as they were, and why.")


def _component(request, component, public: bool):
    """Asks the back-office's permission on COMPONENT: a 404 (not a 403) for a caller of another organisation
    when what they name is not public."""
    missing = _("This proposal does not exist or is not published.")
    require_permission(request, MANAGE, component.organisation, hidden="" if public else missing)


def _not_in_list(field: str, ids) -> object:
    message = _("Only proposals of the same space and the same list can be merged or handled together: some of "
                "the ticked proposals are not in this list. Nothing was changed.")
    return json_error(422, message, errors=[
        {"field": field, "location": "body",
         "message": _("Proposal %(id)s is not in this list of proposals.") % {"id": pk}} for pk in ids])


@router.post("/proposals/{proposal_id}/merge", auth=WRITE_AUTH, response={200: MergeOut, **ERRORS},
             summary="Merge proposals into this one")
def proposal_merge(request, proposal_id: Id, payload: MergeIn):
    """The proposals of `proposals` say the same thing as this one: they are merged into it. Their supports move
    to it (one per person), their followers and authors follow it, their authors are notified, their comments
    move to it with their threads (marked with the proposal they were written under). All of the same
    component, or nothing changes."""
    into = (Proposal.objects.select_related("component__space__organisation", "author")
            .filter(pk=proposal_id).first())
    if into is None:
        raise Http404(_("This proposal does not exist or is not published."))
    component = into.component
    _component(request, component, into.is_public)
    ids = list(dict.fromkeys(payload.proposals))
    found = {p.pk: p for p in component.proposals.filter(pk__in=ids)}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        return _not_in_list("proposals", missing)
    try:
        done, _refused = services.proposals_bulk(actor=request.auth, component=component, action="merge",
                                                 proposals=[into, *found.values()], into=into)
    except services.ProposalError as error:
        return json_error(422, error.message, errors=[{"field": "proposals", "location": "body",
                                                       "message": error.message}])
    into.refresh_from_db()
    return {"id": into.pk, "merged": sorted(p.pk for p in done), "supports": into.support_count,
            "comments": into.comment_count, "url": request.build_absolute_uri(into.get_absolute_url())}


@router.post("/bulk", auth=WRITE_AUTH, response={200: BulkOut, **ERRORS}, summary="Answer or assign proposals")
def proposals_bulk(request, payload: BulkIn):
    """Answer several proposals of one component the same way, or assign them to an evaluator, as the
    back-office's list does: each one on its own (a refusal keeps the others, listed in `refused`). Their
    authors and followers (answer) or the evaluator (assignment) are notified."""
    component = component_by_id("proposals", payload.component_id,
                                not_found=_("No proposals component has this id."))
    _component(request, component, component.published and component.space.is_published)
    ids = list(dict.fromkeys(payload.proposals))
    found = {p.pk: p for p in component.proposals.filter(pk__in=ids)}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        return _not_in_list("proposals", missing)
    if payload.action == "answer" and not payload.status:
        message = _("Choose an answer from the list.")
        return json_error(422, message, errors=[{"field": "status", "location": "body", "message": message}])
    assignee = None
    if payload.action == "assign" and payload.assignee is not None:
        assignee = services.proposal_evaluators(component).filter(pk=payload.assignee).first()
        if assignee is None:
            message = _("Choose an agent in the list.")
            return json_error(422, message, errors=[{"field": "assignee", "location": "body", "message": message}])
    try:
        done, refused = services.proposals_bulk(
            actor=request.auth, component=component, proposals=[found[pk] for pk in ids], action=payload.action,
            status=payload.status or "", text=payload.text, assignee=assignee)
    except (services.ProposalError, ValidationError) as error:
        message = getattr(error, "message", None) or " ".join(error.messages)
        return json_error(422, message, errors=[{"field": "action", "location": "body", "message": message}])
    return {"done": [p.pk for p in done], "refused": [{"id": p.pk, "detail": why} for p, why in refused]}
