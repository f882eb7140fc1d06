"""Questions to elected officials in the API, mounted by the manifest at /api/v1/questions/: public questions
(list, detail), asking one and supporting one (signed in: a token, or the session with its CSRF token).

Nothing personal: not the author, not the supporters; the official who answered is public, as on the page."""

from datetime import datetime

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict

from concerto.api.auth import WRITE_AUTH, api_sender
from concerto.api.common import (
    NO_NUL,
    SIMILAR_ERRORS,
    ErrorOut,
    Id,
    MappedPage,
    OnBehalfOfId,
    OnBehalfOfOut,
    Pagination,
    SimilarSupportedOut,
    SimilarText,
    Slug,
    ValidationErrorOut,
    behalf_actor_or_403,
    filter_by_place,
    similar_items,
)
from concerto.components.questions import queries, services
from concerto.components.questions.models import OfficialProfile, Question
from concerto.core.participation.behalf import behalf_actor, behalf_names
from concerto.core.participation.models import Channel
from concerto.core.spaces.api import ComponentItemOut
from concerto.core.spaces.lookup import component_by_id

router = Router(tags=["questions"])


class OfficialAnswerOut(Schema):
    text: str
    by: str = Field(description="The official (or the team) who answered.")
    answered_at: datetime | None
    video_url: str
    event_url: str
    document: str | None = Field(description="Absolute URL of the attached document.")


class OfficialQuestionOut(ComponentItemOut):
    id: int
    title: str
    text: str
    addressee: str | None = Field(description="Name of the elected official asked; null: the mayor's office.")
    published_at: datetime | None
    supports: int
    due_at: datetime | None = Field(description="The commune answers by then (once the threshold is reached).")
    late: bool = Field(description="Answered after the deadline, or waiting past it.")
    answered: bool
    answer: OfficialAnswerOut | None
    on_behalf_of: OnBehalfOfOut | None = Field(description="The actor the question was asked on behalf of, or null.")
    organisation: str
    space: int
    component: int
    url: str

    @staticmethod
    def resolve_addressee(obj) -> str | None:
        return obj.addressee.name if obj.addressee else None

    @staticmethod
    def resolve_on_behalf_of(obj) -> dict | None:
        return behalf_actor(obj)

    @staticmethod
    def resolve_supports(obj) -> int:
        return obj.support_count

    @staticmethod
    def resolve_late(obj) -> bool:
        return obj.is_late

    @staticmethod
    def resolve_answered(obj) -> bool:
        return obj.is_answered

    @staticmethod
    def resolve_answer(obj, context) -> dict | None:
        if not obj.is_answered:
            return None
        request = context["request"]
        return {"text": obj.answer_text, "by": obj.answered_by_name, "answered_at": obj.answered_at,
                "video_url": obj.answer_video_url,
                "event_url": request.build_absolute_uri(obj.answer_event_url) if obj.answer_event_url else "",
                "document": request.build_absolute_uri(obj.answer_document.url) if obj.answer_document else None}


class QuestionFilters(Schema):
    organisation: Slug | None = Field(None, description="Slug of the commune asked.")
    space: Id | None = Field(None, description="Id of the participation space.")
    component: Id | None = Field(None, description="Id of the questions component.")
    answered: bool | None = Field(None, description="Only answered (true) or unanswered (false) questions.")


class QuestionIn(Schema):
    model_config = ConfigDict(str_strip_whitespace=True)

    component_id: Id
    title: str = Field(min_length=1, max_length=200, pattern=NO_NUL)
    text: str = Field("", max_length=4000, pattern=NO_NUL)
    addressee_id: Id | None = Field(None, description="Id of an official's profile; null: the mayor's office.")
    on_behalf_of: OnBehalfOfId = None


class SupportOut(Schema):
    question: int
    supports: int
    due_at: datetime | None


def _public():
    return Question.objects.public().select_related("addressee", "component__space__organisation")


@router.get("/questions", response=list[OfficialQuestionOut], summary="List public questions to elected officials")
@paginate(Pagination)
def question_list(request, filters: Query[QuestionFilters]):
    """Questions kept by the moderators, in published components of published spaces, newest first."""
    questions = filter_by_place(_public(), filters)
    if filters.answered is not None:
        questions = questions.filter(answered_at__isnull=not filters.answered)
    return MappedPage(questions.order_by("-published_at", "-pk"), _with_behalf_names)


def _with_behalf_names(rows: list) -> list:
    """The page's questions with the actors they were asked for, read in one query."""
    behalf_names(rows)
    return rows


@router.get("/questions/similar", response={200: list[SimilarSupportedOut], **SIMILAR_ERRORS},
            summary="Public questions similar to a text, before asking one")
def question_similar(request, component: Id, text: SimilarText = ""):
    """Up to 5 public questions of the component whose text is closest to `text`, the closest first: a client
    shows them before asking, so that residents support the existing question. Look-ups are limited per sender
    (429 with `Retry-After`)."""
    found = component_by_id("questions", component, published_only=True,
                            not_found=_("No published questions component has this id."))
    return similar_items(request, lambda typed: queries.similar(found, typed), text)


@router.get("/questions/{question_id}", response={200: OfficialQuestionOut, 404: ErrorOut, 422: ValidationErrorOut},
            summary="One public question to elected officials")
def question_detail(request, question_id: Id):
    question = _public().filter(pk=question_id).first()
    if question is None:
        raise Http404(_("This question does not exist or is not published."))
    return question


WRITE_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
                422: ValidationErrorOut, 429: ErrorOut}


class AskedOut(Schema):
    id: int
    status: str = Field(description="`pending`: the moderators check it before it is published.")


@router.post("/questions", auth=WRITE_AUTH, response={201: AskedOut, **WRITE_ERRORS},
             summary="Ask a question to elected officials")
def question_ask(request, payload: QuestionIn):
    """Ask the commune of a published questions component; the question is published once the moderators kept
    it. The component may reserve asking to verified residents (403). `on_behalf_of`: an actor the caller is a
    confirmed member of (403 with `code` `not_a_member` otherwise)."""
    component = component_by_id("questions", payload.component_id, published_only=True,
                                not_found=_("No published questions component has this id."))
    addressee = None
    if payload.addressee_id is not None:
        addressee = OfficialProfile.objects.filter(pk=payload.addressee_id,
                                                   organisation=component.space.organisation, published=True).first()
        if addressee is None:
            raise Http404(_("No elected official of this commune has this id."))
    on_behalf_of = behalf_actor_or_403(request.auth, component.space.organisation, payload.on_behalf_of)
    try:
        question = services.question_ask(author=request.auth, component=component, title=payload.title,
                                         text=payload.text, addressee=addressee, channel=Channel.API,
                                         sender=api_sender(request), on_behalf_of=on_behalf_of)
    except services.QuestionError as refusal:
        return Status(403, {"detail": " ".join(refusal.messages)})
    return Status(201, {"id": question.pk, "status": question.status})


@router.post("/questions/{question_id}/support", auth=WRITE_AUTH, response={201: SupportOut, **WRITE_ERRORS},
             summary="Support a question to elected officials")
def question_support(request, question_id: Id):
    """One support per account (409 for a second one); at the component's threshold the commune commits to
    answer (`due_at`)."""
    question = _public().filter(pk=question_id).first()
    if question is None:
        raise Http404(_("This question does not exist or is not published."))
    try:
        support = services.question_support(user=request.auth, question=question, channel=Channel.API,
                                            sender=api_sender(request))
    except services.QuestionError as refusal:
        return Status(409, {"detail": " ".join(refusal.messages)})
    return Status(201, {"question": question.pk, "supports": support.question.support_count,
                        "due_at": support.question.due_at})
