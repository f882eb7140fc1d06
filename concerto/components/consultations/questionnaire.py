"""A consultation's questionnaire as the other modules read it: its structure in four queries, whether it is
locked by the responses received, and the checks of a set of answers (conditions included).

The back-office builder (building.py) changes it; the answering services (services.py) check answers against it.
"""

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from concerto.components.consultations.models import (
    LONG_TEXT_MAX,
    OTHER_TEXT_MAX,
    SHORT_TEXT_MAX,
    Option,
    Question,
    Questionnaire,
    Response,
    Section,
)

KIND = "consultations"
Kind = Question.Kind


def kind_check(component) -> None:
    if component.kind != KIND:
        raise ValueError("This is not a consultation component")


# ---------------------------------------------------------------- reading the structure


@dataclass
class Structure:
    """A questionnaire read in four queries: its intro, sections, questions and options, in order."""

    component: object
    intro: str
    sections: list
    questions: list
    options: dict = field(default_factory=dict)  # question id -> [Option]

    @property
    def by_id(self) -> dict:
        return {question.pk: question for question in self.questions}

    def option_ids(self, question) -> set[int]:
        return {option.pk for option in self.options.get(question.pk, [])}


def questionnaire_structure(component) -> Structure:
    intro = Questionnaire.objects.filter(component=component).values_list("intro", flat=True).first() or ""
    sections = list(Section.objects.filter(component=component))
    questions = list(Question.objects.filter(component=component).select_related("condition_option"))
    options: dict[int, list] = {}
    for option in Option.objects.filter(question__component=component).order_by("position", "pk"):
        options.setdefault(option.question_id, []).append(option)
    by_section: dict[int, list] = {}
    for question in questions:
        question.option_list = options.get(question.pk, [])
        by_section.setdefault(question.section_id, []).append(question)
    for section in sections:
        section.question_list = by_section.get(section.pk, [])
    ordered = [question for section in sections for question in section.question_list]
    return Structure(component=component, intro=intro, sections=sections, questions=ordered, options=options)


def questionnaire_locked(component) -> bool:
    """Once responses are counted, no question or option may be removed: the answers already given
    would lose their meaning and the results would change behind people's backs."""
    return Response.objects.filter(component=component, status=Response.Status.SUBMITTED).exists()


# ---------------------------------------------------------------- conditions and answer checks


def chosen_option_ids(question, value) -> set[int]:
    if value is None:
        return set()
    if question.kind == Kind.SINGLE:
        return {value["option"]}
    if question.kind == Kind.MULTIPLE:
        return set(value["options"])
    if question.kind == Kind.RANKING:
        return set(value)
    return set()


def visible_question_ids(questions, answers: dict) -> set[int]:
    """The questions shown given ANSWERS (question id -> value): a question with a condition is shown
    when the question of its condition is itself shown and was answered with the condition's option."""
    by_id = {question.pk: question for question in questions}
    memo: dict[int, bool] = {}

    def visible(question, seen: frozenset) -> bool:
        if question.pk in memo:
            return memo[question.pk]
        option = question.condition_option
        if option is None:
            result = True
        else:
            parent = by_id.get(option.question_id)
            if parent is None or parent.pk in seen:  # a condition on a removed question, or a loop
                result = True
            else:
                result = (visible(parent, seen | {question.pk})
                          and option.pk in chosen_option_ids(parent, answers.get(parent.pk)))
        memo[question.pk] = result
        return result

    return {question.pk for question in questions if visible(question, frozenset())}


def _is_empty(value) -> bool:
    return value is None or value == "" or value == [] or value == ()


def answers_check(structure: Structure, answers: dict, *, enforce_required: bool = True) -> dict:
    """ANSWERS (question id -> value) checked against the questionnaire, with the answers to hidden
    questions dropped. Raises ValidationError keyed by the questions' field names, in French.

    Values: single {"option": id, "other": str}; multiple {"options": [ids], "other": str}; ranking
    [ids, best first]; scale int; number float; date date; texts str; point (lat, lng)."""
    by_id = structure.by_id
    unknown = set(answers) - set(by_id)
    if unknown:
        raise ValidationError(_("Some answers are for questions that are not in this questionnaire."))
    present = {qid: value for qid, value in answers.items() if not _is_empty(value)}
    visible = visible_question_ids(structure.questions, present)
    cleaned, errors = {}, {}
    for question in structure.questions:
        if question.pk not in visible:
            continue
        value = present.get(question.pk)
        if value is None:
            if question.required and enforce_required:
                errors[question.field_name] = [_("Answer this question.")]
            continue
        try:
            cleaned[question.pk] = _check_value(structure, question, value)
        except ValidationError as error:
            errors[question.field_name] = error.messages
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_value(structure: Structure, question, value):
    kind = question.kind
    options = {option.pk: option for option in structure.options.get(question.pk, [])}
    other = next((option.pk for option in options.values() if option.is_other), None)
    if kind == Kind.SINGLE:
        if value.get("option") not in options:
            raise ValidationError(_("Choose one of the answers offered."))
        other_text = (value.get("other") or "").strip()
        if value["option"] == other:
            if not other_text:
                raise ValidationError(_("Say what your “other” answer is."))
            if len(other_text) > OTHER_TEXT_MAX:
                raise ValidationError(_("Your “other” answer is too long."))
            return {"option": value["option"], "other": other_text}
        return {"option": value["option"], "other": ""}
    if kind == Kind.MULTIPLE:
        chosen = list(dict.fromkeys(value.get("options") or []))
        if any(pk not in options for pk in chosen):
            raise ValidationError(_("Choose among the answers offered."))
        if question.max_choices and len(chosen) > question.max_choices:
            raise ValidationError(_("Choose at most %(max)s answers.") % {"max": question.max_choices})
        other_text = (value.get("other") or "").strip()
        if other in chosen:
            if not other_text:
                raise ValidationError(_("Say what your “other” answer is."))
            if len(other_text) > OTHER_TEXT_MAX:
                raise ValidationError(_("Your “other” answer is too long."))
        else:
            other_text = ""
        order = {pk: position for position, pk in enumerate(options)}
        return {"options": sorted(chosen, key=order.__getitem__), "other": other_text}
    if kind == Kind.RANKING:
        ranked = list(value)
        if sorted(ranked) != sorted(options) or len(set(ranked)) != len(ranked):
            raise ValidationError(_("Give each answer a different rank, from 1 to %(count)s.")
                                  % {"count": len(options)})
        return ranked
    if kind == Kind.SCALE:
        if not isinstance(value, int) or isinstance(value, bool) or value not in question.scale_range():
            scale = question.scale_range()
            raise ValidationError(_("Choose a value from %(min)s to %(max)s.") % {"min": scale[0], "max": scale[-1]})
        return value
    if kind == Kind.NUMBER:
        number = float(value)
        if number != number or number in (float("inf"), float("-inf")):
            raise ValidationError(_("Enter a number."))
        if question.min_value is not None and number < question.min_value:
            raise ValidationError(_("Enter a number of at least %(min)s.") % {"min": _number(question.min_value)})
        if question.max_value is not None and number > question.max_value:
            raise ValidationError(_("Enter a number of at most %(max)s.") % {"max": _number(question.max_value)})
        return number
    if kind == Kind.DATE:
        if not isinstance(value, date):
            raise ValidationError(_("Enter a valid date."))
        return value
    if kind in (Kind.SHORT_TEXT, Kind.LONG_TEXT):
        text = str(value).strip()
        limit = SHORT_TEXT_MAX if kind == Kind.SHORT_TEXT else LONG_TEXT_MAX
        if len(text) > limit:
            raise ValidationError(_("Your answer is too long: %(limit)s characters at most.") % {"limit": limit})
        if "\x00" in text:
            raise ValidationError(_("Null characters are not allowed."))
        return text
    if kind == Kind.POINT:
        latitude, longitude = value
        return (float(latitude), float(longitude))
    raise ValidationError(_("This question cannot be answered."))


def _number(value: float) -> str:
    return f"{value:g}".replace(".", ",")
