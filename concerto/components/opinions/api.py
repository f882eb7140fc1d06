"""Opinion debates in the API, mounted by the manifest at /api/v1/opinions/: the public debates, their accepted
statements, their opinion groups, and, with a personal token (or a session), voting and submitting a statement
through the same services as the pages and the chat."""

from datetime import datetime
from typing import Literal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict

from concerto.api.auth import WRITE_AUTH
from concerto.api.common import (
    NO_NUL,
    ErrorOut,
    Id,
    MappedPage,
    Pagination,
    Slug,
    ValidationErrorOut,
    filter_by_place,
)
from concerto.components.opinions import moderation, services
from concerto.components.opinions.models import Conversation, Statement
from concerto.core.spaces.api import ComponentItemOut

router = Router(tags=["opinions"])


class OpinionConversationOut(ComponentItemOut):
    id: int
    question: str
    description: str
    moderation: str = Field(description="“before”: participants' statements are shown once accepted; “after”: "
                                        "shown at once, moderated afterwards.")
    audience: str = Field(description="Who may take part: “anyone”, “account” or “verified” (verified residents).")
    opens_at: datetime
    closes_at: datetime | None
    open: bool = Field(description="Whether it takes votes now.")
    source: str = Field(description="Where an imported debate comes from, with its licence's credit.")
    organisation: str
    space: int
    component: int

    @staticmethod
    def resolve_open(obj) -> bool:
        return moderation.is_open(obj)


class OpinionConversationFilters(Schema):
    organisation: Slug | None = Field(None, description="Slug of the organisation of the debate's space.")
    space: Id | None = Field(None, description="Id of the participation space.")
    component: Id | None = Field(None, description="Id of the opinions component.")
    open: bool | None = Field(None, description="true: only the debates taking votes now; false: the others.")


def _public():
    return moderation.public_conversations().select_related("component__space__organisation")


def _conversation(conversation_id: int) -> Conversation:
    conversation = _public().filter(pk=conversation_id).first()
    if conversation is None:
        raise Http404(_("This debate does not exist or is not published."))
    return conversation


@router.get("/conversations", response=list[OpinionConversationOut], summary="List public opinion debates")
@paginate(Pagination)
def conversation_list(request, filters: Query[OpinionConversationFilters]):
    """Published debates of published spaces, the latest opened first."""
    conversations = filter_by_place(_public(), filters)
    if filters.open is not None:
        open_ids = moderation.open_conversations().values("pk")
        conversations = (conversations.filter(pk__in=open_ids) if filters.open
                         else conversations.exclude(pk__in=open_ids))
    return conversations.order_by("-opens_at", "-pk")


@router.get("/conversations/{conversation_id}", summary="One public opinion debate",
            response={200: OpinionConversationOut, 404: ErrorOut, 422: ValidationErrorOut})
def conversation_detail(request, conversation_id: Id):
    return _conversation(conversation_id)


class OpinionStatementOut(Schema):
    id: int
    text: str
    seed: bool = Field(description="Written by the organisers when they opened the debate.")
    created_at: datetime
    agree: int
    disagree: int
    passed: int = Field(description="Votes “pass / unsure”.")


@router.get("/conversations/{conversation_id}/statements", summary="Accepted statements of a debate",
            response=list[OpinionStatementOut])
@paginate(Pagination)
def statement_list(request, conversation_id: Id):
    """The accepted statements, oldest first, with their votes."""
    conversation = _conversation(conversation_id)
    statements = conversation.statements.filter(status=Statement.Status.ACCEPTED).order_by("created_at", "pk")
    return MappedPage(statements, lambda page: _statements_out(conversation, page))


def _statements_out(conversation, statements) -> list[dict]:
    return [{"id": row["statement"].pk, "text": row["statement"].text, "seed": row["statement"].seed,
             "created_at": row["statement"].created_at, "agree": row["agree"], "disagree": row["disagree"],
             "passed": row["pass"]} for row in moderation.statement_figures(conversation, statements)]


class OpinionGroupOut(Schema):
    id: int = Field(description="The group's index: 0 is the largest.")
    size: int = Field(description="Participants in the group.")
    representative: list[int] = Field(description="Ids of the statements on which the group differs most from "
                                                  "the others, the most telling first.")


class OpinionGroupsOut(Schema):
    k: int = Field(description="Number of opinion groups; 0 when there are none (see `reason`).")
    reason: str = Field(description="Why there are no groups, when there are none.")
    computed_at: datetime | None = Field(description="When the groups were last computed (null: never).")
    votes: int = Field(description="Votes counted in that computation.")
    groups: list[OpinionGroupOut]
    consensus: list[int] = Field(description="Ids of the statements every group agrees with, the most agreed "
                                             "first.")


@router.get("/conversations/{conversation_id}/groups", summary="Opinion groups of a debate",
            response={200: OpinionGroupsOut, 404: ErrorOut, 422: ValidationErrorOut})
def groups_detail(request, conversation_id: Id):
    """The last computation of the groups (recomputed by the task worker shortly after new votes)."""
    conversation = _conversation(conversation_id)
    result = moderation.groups_of(conversation)
    if result is None:
        return {"k": 0, "reason": "not computed yet", "computed_at": None, "votes": 0, "groups": [],
                "consensus": []}
    sizes = moderation.group_sizes(result) if result.k else []
    representative = result.data.get("representative") or {}
    return {"k": result.k, "reason": result.reason, "computed_at": result.computed_at, "votes": result.votes,
            "groups": [{"id": index, "size": sizes[index], "representative": representative.get(str(index), [])}
                       for index in range(result.k)],
            "consensus": result.data.get("consensus") or []}


class OpinionRefusedOut(Schema):
    detail: str
    code: str


class OpinionVoteIn(Schema):
    statement: Id = Field(description="Id of a statement of the debate.")
    vote: Literal[1, -1, 0] = Field(description="1 agree, -1 disagree, 0 pass / unsure.")


class OpinionVoteOut(Schema):
    statement: int
    vote: int
    voted_at: datetime


@router.post("/conversations/{conversation_id}/votes", auth=WRITE_AUTH, summary="Vote on a statement", response={
    201: OpinionVoteOut, 401: ErrorOut, 403: OpinionRefusedOut, 404: ErrorOut, 409: OpinionRefusedOut,
    422: ValidationErrorOut})
def vote_endpoint(request, conversation_id: Id, payload: OpinionVoteIn):
    """A vote on one statement; a new vote on the same statement replaces the previous one (the last counts,
    as in Polis). A statement not shown (awaiting moderation, or rejected) is a 409 with the code
    `hidden_statement`; a debate the caller may not take part in is a 403 with the code `closed`, `not_open`
    or `verification_required`."""
    conversation = _conversation(conversation_id)
    statement = conversation.statements.filter(pk=payload.statement).first()
    if statement is None:
        raise Http404(_("This statement is not in this debate."))
    refusal = moderation.participation_refusal(conversation, request.auth)
    if refusal is not None:
        return Status(403, {"detail": refusal.message, "code": refusal.code})
    try:
        vote = services.vote(statement, request.auth, payload.vote)
    except services.VoteRefused:
        return Status(409, {"detail": _("This statement is not shown: it cannot take votes."),
                            "code": "hidden_statement"})
    return Status(201, {"statement": statement.pk, "vote": vote.value, "voted_at": vote.voted_at})


class OpinionStatementIn(Schema):
    model_config = ConfigDict(str_strip_whitespace=True)

    text: str = Field(min_length=1, max_length=moderation.STATEMENT_MAX_LENGTH * 4, pattern=NO_NUL,
                      description=f"The statement, {moderation.STATEMENT_MAX_LENGTH} characters at most.")


class OpinionSubmittedOut(Schema):
    id: int
    text: str
    status: str = Field(description="“pending” until a moderator accepts it.")
    shown: bool = Field(description="Whether others see it already (a debate moderated after publication).")


@router.post("/conversations/{conversation_id}/statements", auth=WRITE_AUTH, summary="Submit a statement",
             response={201: OpinionSubmittedOut, 401: ErrorOut, 403: OpinionRefusedOut, 404: ErrorOut,
                       422: ValidationErrorOut})
def statement_submit_endpoint(request, conversation_id: Id, payload: OpinionStatementIn):
    """A new statement, awaiting moderation. Too long, empty or already in the debate: a 422. A debate the
    caller may not take part in: a 403 with the code `closed`, `not_open` or `verification_required`."""
    conversation = _conversation(conversation_id)
    try:
        statement = moderation.statement_submit(conversation=conversation, user=request.auth, text=payload.text)
    except moderation.Refused as refusal:
        return Status(403, {"detail": refusal.message, "code": refusal.code})
    return Status(201, {"id": statement.pk, "text": statement.text, "status": statement.status,
                        "shown": conversation.moderation == Conversation.Moderation.AFTER})
