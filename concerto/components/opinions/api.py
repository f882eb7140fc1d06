"""Opinion debates in the API, mounted by the manifest at /api/v1/opinions/: the public debates, their accepted
statements (and those similar to a text), their opinion groups, and, with a personal token (or a session),
voting and submitting a statement through the same services and rules as the pages and the chat."""

from datetime import datetime
from typing import Literal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict

from concerto.api.auth import WRITE_AUTH, api_sender
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
from concerto.core.accounts.verification import VerificationRequired
from concerto.core.participation.models import Channel
from concerto.core.ratelimit import RateLimited, limit_of, lookup_allowed
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


def _refused(refusal) -> Status:
    return Status(403, {"detail": refusal.message, "code": services.refusal_code(refusal)})


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
    """A vote on one statement, for the person of the token (or of the session): the API has no anonymous
    participants, even in a debate open to anyone. A new vote on the same statement replaces the previous one
    (the last counts, as in Polis). A statement not shown (awaiting moderation, or rejected) is a 409 with the
    code `hidden_statement`; a debate the caller may not take part in is a 403 with the code `closed`,
    `not_open` or `verification_required` (the same rules as the pages and the chat)."""
    conversation = _conversation(conversation_id)
    statement = conversation.statements.filter(pk=payload.statement).first()
    if statement is None:
        raise Http404(_("This statement is not in this debate."))
    try:
        vote = services.vote(statement, request.auth, payload.vote, anonymous=False, channel=Channel.API)
    except services.VoteRefused as refused:
        if refused.code == "hidden_statement":
            return Status(409, {"detail": refused.message, "code": refused.code})
        return _refused(refused)
    except VerificationRequired as refused:
        return _refused(refused)
    return Status(201, {"statement": statement.pk, "vote": vote.value, "voted_at": vote.voted_at})


class OpinionSimilarQuery(Schema):
    model_config = ConfigDict(str_strip_whitespace=True)

    text: str = Field(min_length=1, max_length=services.STATEMENT_MAX_LENGTH * 4, pattern=NO_NUL,
                      description="The statement one is about to submit.")


class OpinionSimilarStatementOut(OpinionStatementOut):
    similarity: float = Field(description="How close the statement is to `text`, from 0 to 1 (French words "
                                          "compared by their stems). From 0.45 a submission asks for `confirm`.")


@router.get("/conversations/{conversation_id}/statements/similar", summary="Statements similar to a text",
            response={200: list[OpinionSimilarStatementOut], 404: ErrorOut, 422: ValidationErrorOut,
                      429: ErrorOut})
def statement_similar(request, conversation_id: Id, query: Query[OpinionSimilarQuery]):
    """The debate's shown statements closest to `text` (5 at most, the closest first, from a similarity of
    0.25), to vote on them rather than submit a statement saying the same thing. Public like the statements;
    limited per sender as the site's similar ideas while typing (a 429 beyond)."""
    conversation = _conversation(conversation_id)
    if not lookup_allowed("similar_lookup", request):
        raise RateLimited(_("Too many requests. Please wait a moment and try again."), name="similar_lookup",
                          retry_after=limit_of("similar_lookup")[1])
    found = services.similar_statements(conversation, query.text)
    return [{**row, "similarity": statement.similarity}
            for statement, row in zip(found, _statements_out(conversation, found), strict=True)]


class OpinionStatementIn(Schema):
    model_config = ConfigDict(str_strip_whitespace=True)

    text: str = Field(min_length=1, max_length=services.STATEMENT_MAX_LENGTH * 4, pattern=NO_NUL,
                      description=f"The statement, {services.STATEMENT_MAX_LENGTH} characters at most.")
    confirm: bool = Field(False, description="Submit it even though shown statements say nearly the same thing "
                                             "(the 409 `similar_statements`).")


class OpinionSubmittedOut(Schema):
    id: int
    text: str
    status: str = Field(description="“pending” until a moderator accepts it.")
    shown: bool = Field(description="Whether others see it already (a debate moderated after publication).")


class OpinionSimilarRefusedOut(Schema):
    detail: str
    code: str = Field(description="`similar_statements`.")
    similar: list[OpinionSimilarStatementOut] = Field(description="The statements it looks like, the closest "
                                                                  "first: vote on them, or send again with "
                                                                  "`confirm`.")


@router.post("/conversations/{conversation_id}/statements", auth=WRITE_AUTH, summary="Submit a statement",
             response={201: OpinionSubmittedOut, 401: ErrorOut, 403: OpinionRefusedOut, 404: ErrorOut,
                       409: OpinionSimilarRefusedOut, 422: ValidationErrorOut})
def statement_submit_endpoint(request, conversation_id: Id, payload: OpinionStatementIn):
    """A new statement, awaiting moderation (shown at once in a debate moderated after publication), through
    the same service as the pages. Too long, empty or already in the debate (the same words once case, accents
    and punctuation are set aside): a 422. Shown statements saying nearly the same thing: a 409 with the code
    `similar_statements` and them, unless `confirm` is true. A debate the caller may not take part in: a 403
    with the code `closed`, `not_open` or `verification_required`."""
    conversation = _conversation(conversation_id)
    try:
        statement = services.write_statement(conversation, request.auth, payload.text, confirmed=payload.confirm,
                                              anonymous=False, channel=Channel.API, sender=api_sender(request))
    except (services.VoteRefused, VerificationRequired) as refused:
        return _refused(refused)
    except services.SimilarStatements as similar:
        rows = _statements_out(conversation, similar.statements)
        return Status(409, {"detail": similar.message, "code": "similar_statements", "similar": [
            {**row, "similarity": statement.similarity}
            for statement, row in zip(similar.statements, rows, strict=True)]})
    return Status(201, {"id": statement.pk, "text": statement.text, "status": statement.status,
                        "shown": statement.is_shown})
