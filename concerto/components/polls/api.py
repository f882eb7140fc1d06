"""Quick polls in the API, mounted by the manifest at /api/v1/polls/: the public polls, one poll with its results
(when the caller may see them), and answering with a token (or a session), through the same `poll_answer` as the
web page, with the `api` channel."""

from datetime import datetime

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict

from concerto.api.auth import WRITE_AUTH, api_user
from concerto.api.common import NO_NUL, ErrorOut, Id, Pagination, Slug, ValidationErrorOut, filter_by_place
from concerto.components.polls.eligibility import AlreadyAnswered, PollRefused
from concerto.components.polls.models import WHY_MAX_LENGTH, Poll
from concerto.components.polls.services import has_answered, poll_answer, poll_results
from concerto.core.participation.models import Channel
from concerto.core.spaces.api import ComponentItemOut

router = Router(tags=["polls"])


class PollChoiceOut(Schema):
    id: int
    label: str
    answers: int | None = Field(None, description="Number of answers; null while the results are not shown.")


class PollOut(ComponentItemOut):
    id: int
    question: str
    multiple: bool
    why: str = Field(description="“none”, “optional” or “required”: whether the answer takes a “why?” text.")
    opens_at: datetime
    closes_at: datetime | None
    closed: bool
    results_shown: str = Field(description="“after_answer” or “at_close”.")
    verified_only: bool
    target: str = Field(description="Who is asked: an organisation, or a quartier of it.")
    quartier: dict | None = Field(description="The quartier's GeoJSON polygon, when the poll is for one.")
    organisation: str
    space: int
    component: int
    url: str
    answers: int | None = Field(description="Number of answers; null while the results are not shown.")
    answered: bool = Field(description="Whether the caller has answered.")
    choices: list[PollChoiceOut]

    @staticmethod
    def resolve_closed(obj) -> bool:
        return obj.is_closed()

    @staticmethod
    def resolve_results_shown(obj) -> str:
        return obj.results

    @staticmethod
    def resolve_target(obj) -> str:
        return obj.target_label

    @staticmethod
    def resolve_quartier(obj):
        return obj.target_area

    @staticmethod
    def resolve_answered(obj, context) -> bool:
        return _answered(context["request"], obj)

    @staticmethod
    def resolve_answers(obj, context):
        results = _results(context["request"], obj)
        return results["total"] if results else None

    @staticmethod
    def resolve_choices(obj, context):
        results = _results(context["request"], obj)
        counts = {row["choice"].pk: row["count"] for row in results["choices"]} if results else {}
        return [{"id": choice.pk, "label": choice.label, "answers": counts.get(choice.pk)}
                for choice in obj.choices.all()]


def _answered(request, poll) -> bool:
    cache = request.__dict__.setdefault("_polls_answered", {})
    if poll.pk not in cache:
        cache[poll.pk] = has_answered(poll=poll, user=api_user(request))
    return cache[poll.pk]


def _results(request, poll):
    cache = request.__dict__.setdefault("_polls_results", {})
    if poll.pk not in cache:
        cache[poll.pk] = poll_results(poll) if poll.results_shown(answered=_answered(request, poll)) else None
    return cache[poll.pk]


class PollFilters(Schema):
    organisation: Slug | None = Field(None, description="Slug of the organisation of the poll's space.")
    space: Id | None = Field(None, description="Id of the participation space.")
    open: bool | None = Field(None, description="true: only the polls taking answers now; false: the others.")


def _public():
    return (Poll.objects.public().select_related("component__space__organisation", "target_organisation")
            .prefetch_related("choices"))


@router.get("/polls", response=list[PollOut], summary="List public quick polls")
@paginate(Pagination)
def poll_list(request, filters: Query[PollFilters]):
    """Published polls of published spaces, the latest opened first."""
    polls = filter_by_place(_public(), filters)
    if filters.open is not None:
        open_ids = Poll.objects.open().values("pk")
        polls = polls.filter(pk__in=open_ids) if filters.open else polls.exclude(pk__in=open_ids)
    return polls.order_by("-opens_at", "-pk")


def _poll(poll_id: int) -> Poll:
    poll = _public().filter(pk=poll_id).first()
    if poll is None:
        raise Http404(_("This poll does not exist or is not published."))
    return poll


@router.get("/polls/{poll_id}", response={200: PollOut, 404: ErrorOut, 422: ValidationErrorOut},
            summary="One public quick poll")
def poll_detail(request, poll_id: Id):
    return _poll(poll_id)


class AnswerIn(Schema):
    model_config = ConfigDict(str_strip_whitespace=True)

    choices: list[Id] = Field(min_length=1, max_length=8, description="Ids of the chosen answers (one unless the "
                                                                      "poll allows several).")
    why: str = Field("", max_length=WHY_MAX_LENGTH * 4, pattern=NO_NUL,
                     description=f"The “why?” text, {WHY_MAX_LENGTH} characters at most.")
    latitude: float | None = Field(None, ge=-90, le=90, description="For a quartier poll: where the person lives.")
    longitude: float | None = Field(None, ge=-180, le=180)


class PollRefusedOut(Schema):
    detail: str
    code: str


@router.post("/polls/{poll_id}/answer", auth=WRITE_AUTH, summary="Answer a quick poll", response={
    201: PollOut, 401: ErrorOut, 403: PollRefusedOut, 404: ErrorOut, 409: PollRefusedOut, 422: ValidationErrorOut})
def poll_answer_endpoint(request, poll_id: Id, payload: AnswerIn):
    """One answer per account (a second one is a 409). A closed poll, a poll for other residents or for verified
    residents only is a 403 with a `code`: `closed`, `not_in_target`, `verification_required`."""
    from concerto.components.polls.eligibility import PollClosed
    from concerto.core.accounts.verification import VerificationRequired

    poll = _poll(poll_id)
    point = ((payload.latitude, payload.longitude)
             if payload.latitude is not None and payload.longitude is not None else None)
    try:
        poll_answer(poll=poll, user=request.auth, choices=payload.choices, why=payload.why, channel=Channel.API,
                    point=point)
    except AlreadyAnswered as refused:
        return Status(409, {"detail": refused.message, "code": "already_answered"})
    except PollClosed as refused:
        return Status(403, {"detail": refused.message, "code": "closed"})
    except PollRefused as refused:
        return Status(403, {"detail": refused.message, "code": "not_in_target"})
    except VerificationRequired as refused:
        return Status(403, {"detail": refused.message, "code": "verification_required"})
    request.__dict__.pop("_polls_answered", None)
    request.__dict__.pop("_polls_results", None)
    return Status(201, poll)
