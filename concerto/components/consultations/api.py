"""Consultations in the API, mounted by the manifest at /api/v1/consultations/: the questionnaires of
public consultations, and their aggregated results when they are public (or for the team)."""

import rules
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from concerto.api.auth import api_user
from concerto.api.common import ErrorOut, Id, Pagination, Slug, ValidationErrorOut, organisation_or_404
from concerto.components.consultations.manifest import results_are_public
from concerto.components.consultations.permissions import READ_RESULTS
from concerto.components.consultations.questionnaire import questionnaire_structure
from concerto.components.consultations.results import results_compute
from concerto.components.consultations.services import answers_open
from concerto.core.richtext import sanitize_html
from concerto.core.spaces.lookup import component_by_id
from concerto.core.spaces.models import Component

router = Router(tags=["consultations"])


def _public_consultations():
    return Component.objects.filter(kind="consultations", published=True, space__status="published") \
        .select_related("space__organisation")


def _consultation_or_404(component_id: int) -> Component:
    return component_by_id("consultations", component_id, published_only=True,
                           not_found=_("This consultation does not exist or is not published."))


class ConsultationOut(Schema):
    id: int
    title: str
    organisation: str
    space: int
    answers_open: bool
    participation: str
    results_public: bool
    url: str

    @staticmethod
    def resolve_organisation(obj) -> str:
        return obj.space.organisation.slug

    @staticmethod
    def resolve_space(obj) -> int:
        return obj.space_id

    @staticmethod
    def resolve_answers_open(obj) -> bool:
        return answers_open(obj).open

    @staticmethod
    def resolve_participation(obj) -> str:
        return obj.setting("participation")

    @staticmethod
    def resolve_results_public(obj) -> bool:
        return results_are_public(obj)

    @staticmethod
    def resolve_url(obj, context) -> str:
        return context["request"].build_absolute_uri(obj.get_absolute_url())


class OptionOut(Schema):
    id: int
    label: str
    is_other: bool


class ConditionOut(Schema):
    question: int
    option: int


class QuestionOut(Schema):
    id: int
    kind: str
    label: str
    help_text: str
    required: bool
    options: list[OptionOut]
    max_choices: int | None
    scale: str
    scale_min_label: str
    scale_max_label: str
    min_value: float | None
    max_value: float | None
    shown_when: ConditionOut | None


class SectionOut(Schema):
    id: int
    title: str
    description_html: str
    questions: list[QuestionOut]


class QuestionnaireOut(ConsultationOut):
    intro_html: str
    sections: list[SectionOut]


class ItemOut(Schema):
    label: str
    count: int
    percent: float
    average_rank: float | None = None


class QuestionResultOut(Schema):
    id: int
    kind: str
    label: str
    answered: int
    items: list[ItemOut]
    places: list[ItemOut]
    mean: float | None
    median: float | None
    minimum: float | None
    maximum: float | None


class ResultsOut(Schema):
    consultation: int
    responses: int
    channels: list[ItemOut]
    questions: list[QuestionResultOut]


class ConsultationFilters(Schema):
    organisation: Slug | None = Field(None, description="Slug of the organisation.")
    space: Id | None = Field(None, description="Id of the participation space.")


@router.get("/questionnaires", response=list[ConsultationOut], summary="List public consultations")
@paginate(Pagination)
def consultation_list(request, filters: Query[ConsultationFilters]):
    consultations = _public_consultations().order_by("-pk")
    if filters.organisation:
        consultations = consultations.filter(space__organisation=organisation_or_404(filters.organisation))
    if filters.space:
        consultations = consultations.filter(space_id=filters.space)
    return consultations


def _questionnaire(component) -> dict:
    structure = questionnaire_structure(component)
    sections = []
    for section in structure.sections:
        questions = []
        for question in section.question_list:
            condition = question.condition_option
            questions.append({
                "id": question.pk, "kind": question.kind, "label": question.label, "help_text": question.help_text,
                "required": question.required,
                "options": [{"id": o.pk, "label": o.label, "is_other": o.is_other} for o in question.option_list],
                "max_choices": question.max_choices, "scale": question.scale,
                "scale_min_label": question.scale_min_label, "scale_max_label": question.scale_max_label,
                "min_value": question.min_value, "max_value": question.max_value,
                "shown_when": {"question": condition.question_id, "option": condition.pk} if condition else None,
            })
        sections.append({"id": section.pk, "title": section.title,
                         "description_html": sanitize_html(section.description), "questions": questions})
    component.intro_html = sanitize_html(structure.intro)
    component.sections = sections
    return component


@router.get("/questionnaires/{component_id}", summary="The questionnaire of a public consultation",
            response={200: QuestionnaireOut, 404: ErrorOut, 422: ValidationErrorOut})
def questionnaire_detail(request, component_id: Id):
    """Its sections and questions, in order, with their answers to choose from and their conditions
    (`shown_when`: the question is shown only when that option of that question is chosen)."""
    return _questionnaire(_consultation_or_404(component_id))


@router.get("/questionnaires/{component_id}/results", summary="The results of a consultation",
            response={200: ResultsOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut})
def results_detail(request, component_id: Id):
    """Counts and percentages per question (average rank for rankings, mean and median for numbers).

    Public when the consultation publishes its results; otherwise only for the organisation's team."""
    component = _consultation_or_404(component_id)
    user = api_user(request)
    if not rules.has_perm(READ_RESULTS, user, component):
        raise HttpError(403, _("The results of this consultation are only shown to the collectivité's team."))
    structure = questionnaire_structure(component)
    results = results_compute(structure, latest_texts=0)
    return {
        "consultation": component.pk,
        "responses": results.total,
        "channels": [{"label": item.label, "count": item.count, "percent": item.percent} for item in results.channels],
        "questions": [
            {"id": r.question.pk, "kind": r.question.kind, "label": r.question.label, "answered": r.answered,
             "items": [{"label": i.label, "count": i.count, "percent": i.percent, "average_rank": i.average_rank}
                       for i in r.items],
             "places": [{"label": i.label, "count": i.count, "percent": i.percent} for i in r.places],
             "mean": r.mean, "median": r.median, "minimum": r.minimum, "maximum": r.maximum}
            for r in results.questions
        ],
    }
