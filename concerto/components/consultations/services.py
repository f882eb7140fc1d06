"""Write actions of a consultation: building the questionnaire, answering it, entering paper answers.

The back-office pages, the public pages and (later) the chatbot call these same functions. Each state
change writes an audit entry; every response, web or paper, is written to the contributions ledger.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from concerto.components.consultations.models import (
    LABEL_MAX,
    LONG_TEXT_MAX,
    MAX_OPTIONS,
    OPTION_MAX,
    OTHER_TEXT_MAX,
    SHORT_TEXT_MAX,
    Answer,
    Option,
    Question,
    Questionnaire,
    Response,
    Section,
)
from concerto.core.accounts.verification import action_require
from concerto.core.audit.services import audit_record
from concerto.core.participation.models import Channel
from concerto.core.participation.services import contribution_record, contribution_remove
from concerto.core.ratelimit import send_limited
from concerto.core.richtext import plain_text, sanitize_html

KIND = "consultations"
CONTRIBUTION_KIND = "consultations.response"
PAPER_CHANNELS = (Channel.PAPER, Channel.IN_PERSON)
Kind = Question.Kind


class AnswersClosed(Exception):
    """Answers are not accepted now; `message` says why (and when it closed or opens)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _check_kind(component) -> None:
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


# ---------------------------------------------------------------- building the questionnaire


@transaction.atomic
def questionnaire_intro_update(*, actor, component, intro: str) -> Questionnaire:
    _check_kind(component)
    questionnaire, _created = Questionnaire.objects.get_or_create(component=component)
    questionnaire.intro = sanitize_html(intro)
    questionnaire.save()
    audit_record(actor=actor, action="consultations.intro_updated", target=questionnaire,
                 organisation=component.space.organisation)
    return questionnaire


def _next_position(queryset) -> int:
    last = queryset.aggregate(last=Max("position"))["last"]
    return 0 if last is None else last + 1


def _required_text(value: str, name: str, message: str, limit: int, errors: dict) -> str:
    value = (value or "").strip()
    if not value:
        errors[name] = [message]
    elif len(value) > limit:
        errors[name] = [_("%(limit)s characters at most.") % {"limit": limit}]
    return value


@transaction.atomic
def section_create(*, actor, component, title: str, description: str = "") -> Section:
    _check_kind(component)
    errors: dict = {}
    title = _required_text(title, "title", _("Give the section a title."), 200, errors)
    if errors:
        raise ValidationError(errors)
    section = Section.objects.create(
        component=component, title=title, description=sanitize_html(description),
        position=_next_position(Section.objects.filter(component=component)),
    )
    audit_record(actor=actor, action="consultations.section_created", target=section,
                 organisation=component.space.organisation)
    return section


@transaction.atomic
def section_update(*, actor, section: Section, title: str, description: str = "") -> Section:
    errors: dict = {}
    title = _required_text(title, "title", _("Give the section a title."), 200, errors)
    if errors:
        raise ValidationError(errors)
    section.title = title
    section.description = sanitize_html(description)
    section.save()
    audit_record(actor=actor, action="consultations.section_updated", target=section,
                 organisation=section.organisation)
    return section


@transaction.atomic
def section_delete(*, actor, section: Section) -> None:
    if section.questions.exists() and questionnaire_locked(section.component):
        raise ValidationError(_("Responses have been received: a section that holds questions can no longer "
                                "be deleted."))
    audit_record(actor=actor, action="consultations.section_deleted", target=section,
                 organisation=section.organisation, data={"title": section.title})
    section.delete()


def _move(items: list, item, direction: str) -> bool:
    """Swap ITEM with its neighbour in ITEMS (ordered), renumber the positions; False at an end."""
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= target < len(items):
        return False
    items[index], items[target] = items[target], items[index]
    for position, other in enumerate(items):
        other.position = position
    type(item).objects.bulk_update(items, ["position"])
    return True


@transaction.atomic
def section_move(*, actor, section: Section, direction: str) -> bool:
    moved = _move(list(Section.objects.filter(component=section.component_id).select_for_update()),
                  section, direction)
    if moved:
        audit_record(actor=actor, action="consultations.section_moved", target=section,
                     organisation=section.organisation, data={"direction": direction})
    return moved


def _clean_labels(labels) -> list[str]:
    return [label.strip() for label in labels if label and label.strip()]


def _check_question(question: Question, option_count: int, errors: dict) -> None:
    """The rules of each kind, on a question about to be saved with OPTION_COUNT options."""
    label = (question.label or "").strip()
    if not label:
        errors["label"] = [_("Write the question.")]
    elif len(label) > LABEL_MAX:
        errors["label"] = [_("%(limit)s characters at most.") % {"limit": LABEL_MAX}]
    question.label = label
    question.help_text = (question.help_text or "").strip()
    if question.has_options:
        if option_count < 2:
            errors["options"] = [_("Give at least two answers to choose from.")]
        elif option_count > MAX_OPTIONS:
            errors["options"] = [_("%(max)s answers at most.") % {"max": MAX_OPTIONS}]
    if question.kind == Kind.MULTIPLE and question.max_choices is not None:
        if question.max_choices < 1:
            errors["max_choices"] = [_("The maximum must be at least 1.")]
        elif option_count and question.max_choices > option_count:
            errors["max_choices"] = [_("The maximum cannot be more than the number of answers (%(count)s).")
                                     % {"count": option_count}]
    if question.kind != Kind.MULTIPLE:
        question.max_choices = None
    if question.kind == Kind.SCALE:
        if question.scale not in Question.Scale.values:
            errors["scale"] = [_("Choose a scale.")]
    else:
        question.scale, question.scale_min_label, question.scale_max_label = "", "", ""
    if question.kind == Kind.NUMBER:
        if (question.min_value is not None and question.max_value is not None
                and question.min_value > question.max_value):
            errors["max_value"] = [_("The largest number must not be smaller than the smallest.")]
    else:
        question.min_value = question.max_value = None
    option = question.condition_option
    if option is not None:
        parent = option.question
        if (parent.component_id != question.component_id or parent.kind not in Question.CONDITION_KINDS
                or parent.pk == question.pk):
            errors["condition_option"] = [_("The condition must be an answer to an earlier choice question.")]


def _other_label() -> str:
    # Stored text: in the site's language, whatever the language of the agent's session.
    with translation.override(settings.LANGUAGE_CODE):
        return _("Other")


def _check_option_labels(labels: list[str], errors: dict) -> None:
    if any(len(label) > OPTION_MAX for label in labels):
        errors["options"] = [_("Each answer has %(limit)s characters at most.") % {"limit": OPTION_MAX}]


@transaction.atomic
def question_create(*, actor, section: Section, kind: str, label: str, help_text: str = "",
                    required: bool = False, options=(), other_option: bool = False, max_choices=None,
                    scale: str = "", scale_min_label: str = "", scale_max_label: str = "",
                    min_value=None, max_value=None, condition_option=None) -> Question:
    """Add a question at the end of SECTION. OPTIONS are the answers of a choice question (in order);
    OTHER_OPTION adds an "Other, specify" answer at the end."""
    component = section.component
    if kind not in Kind.values:
        raise ValidationError({"kind": [_("Choose a type of question.")]})
    question = Question(
        component=component, section=section, kind=kind, label=label, help_text=help_text, required=required,
        max_choices=max_choices, scale=scale, scale_min_label=(scale_min_label or "").strip(),
        scale_max_label=(scale_max_label or "").strip(), min_value=min_value, max_value=max_value,
        condition_option=condition_option,
    )
    labels = _clean_labels(options) if question.has_options else []
    errors: dict = {}
    _check_option_labels(labels, errors)
    _check_question(question, len(labels) + (1 if other_option and kind != Kind.RANKING else 0), errors)
    if errors:
        raise ValidationError(errors)
    question.position = _next_position(Question.objects.filter(section=section))
    question.save()
    new_options = [Option(question=question, label=text, position=position) for position, text in enumerate(labels)]
    if other_option and kind in (Kind.SINGLE, Kind.MULTIPLE):
        new_options.append(Option(question=question, label=_other_label(), position=len(labels), is_other=True))
    Option.objects.bulk_create(new_options)
    audit_record(actor=actor, action="consultations.question_created", target=question,
                 organisation=component.space.organisation, data={"kind": kind})
    return question


QUESTION_FIELDS = ("label", "help_text", "required", "max_choices", "scale", "scale_min_label", "scale_max_label",
                   "min_value", "max_value", "condition_option", "section")


@transaction.atomic
def question_update(*, actor, question: Question, option_labels: dict | None = None, remove_options=(),
                    new_options=(), other_option: bool | None = None, **changes) -> Question:
    """Change the wording and settings of QUESTION and its answers.

    OPTION_LABELS renames options (id -> label); REMOVE_OPTIONS and removing the "other" answer are
    refused once responses are counted; NEW_OPTIONS are added before "Other". The type never changes,
    and once responses are counted the scale does not either (the figures would mix two scales)."""
    unknown = set(changes) - set(QUESTION_FIELDS)
    if unknown:
        raise TypeError(f"question_update() cannot change {', '.join(sorted(unknown))}")
    locked = questionnaire_locked(question.component)
    errors: dict = {}
    if locked and "scale" in changes and changes["scale"] != question.scale:
        errors["scale"] = [_("Responses have been received: the scale can no longer change.")]
    section = changes.get("section")
    if section is not None and section.component_id != question.component_id:
        errors["section"] = [_("Choose a section of this questionnaire.")]
    for name, value in changes.items():
        if isinstance(value, str) and name not in ("section",):
            value = value.strip()
        setattr(question, name, value)
    options = {option.pk: option for option in question.options.all()}
    remove = {int(pk) for pk in remove_options} & set(options)
    other = next((option for option in options.values() if option.is_other), None)
    remove_other = other is not None and other_option is False
    if (remove or remove_other) and locked:
        errors["options"] = [_("Responses have been received: answers can no longer be removed. You can still "
                               "correct their wording.")]
    renamed = {}
    for pk, label in (option_labels or {}).items():
        pk = int(pk)
        if pk in options and pk not in remove:
            label = (label or "").strip()
            if not label:
                errors[f"option_{pk}"] = [_("Write this answer, or tick it to remove it.")]
            elif len(label) > OPTION_MAX:
                errors[f"option_{pk}"] = [_("%(limit)s characters at most.") % {"limit": OPTION_MAX}]
            elif label != options[pk].label:
                renamed[pk] = label
    added = _clean_labels(new_options) if question.has_options else []
    _check_option_labels(added, errors)
    add_other = other is None and bool(other_option) and question.kind in (Kind.SINGLE, Kind.MULTIPLE)
    kept = len(options) - len(remove) - (1 if remove_other and other.pk not in remove else 0)
    _check_question(question, kept + len(added) + (1 if add_other else 0), errors)
    if question.condition_option_id and question.condition_option.question_id == question.pk:
        errors["condition_option"] = [_("The condition must be an answer to an earlier choice question.")]
    if errors:
        raise ValidationError(errors)
    if section is not None and section.pk != question.section_id:
        question.position = _next_position(Question.objects.filter(section=section))
    question.save()
    for pk, label in renamed.items():
        Option.objects.filter(pk=pk).update(label=label)
    if remove_other:
        remove.add(other.pk)
    if remove:
        # Questions shown on a removed answer are shown always: their condition is gone.
        Option.objects.filter(pk__in=remove).delete()
    position = _next_position(question.options.filter(is_other=False))
    Option.objects.bulk_create([Option(question=question, label=label, position=position + i)
                                for i, label in enumerate(added)])
    if other is not None and other.pk not in remove:
        other.position = position + len(added)
        other.save(update_fields=["position"])
    if add_other:
        Option.objects.create(question=question, label=_other_label(), position=position + len(added),
                              is_other=True)
    audit_record(actor=actor, action="consultations.question_updated", target=question,
                 organisation=question.organisation,
                 data={"fields": sorted(changes), "renamed": sorted(renamed), "removed": sorted(remove),
                       "added": len(added) + (1 if add_other else 0)})
    return question


@transaction.atomic
def question_delete(*, actor, question: Question) -> None:
    if questionnaire_locked(question.component):
        raise ValidationError(_("Responses have been received: questions can no longer be deleted."))
    audit_record(actor=actor, action="consultations.question_deleted", target=question,
                 organisation=question.organisation, data={"label": question.label})
    question.delete()


@transaction.atomic
def question_move(*, actor, question: Question, direction: str) -> bool:
    siblings = list(Question.objects.filter(section=question.section_id).order_by("position", "pk")
                    .select_for_update())
    moved = _move(siblings, question, direction)
    if moved:
        audit_record(actor=actor, action="consultations.question_moved", target=question,
                     organisation=question.organisation, data={"direction": direction})
    return moved


@transaction.atomic
def option_move(*, actor, option: Option, direction: str) -> bool:
    siblings = list(Option.objects.filter(question=option.question_id).order_by("position", "pk")
                    .select_for_update())
    moved = _move(siblings, option, direction)
    if moved:
        audit_record(actor=actor, action="consultations.option_moved", target=option,
                     organisation=option.organisation, data={"direction": direction})
    return moved


# ---------------------------------------------------------------- answering


def answers_open(component):
    """The window of the step setting `answers_open`: open or not, and why not."""
    return component.window("answers_open")


def _answer_rows(structure: Structure, response: Response, answers: dict) -> list[Answer]:
    from concerto.core.territory.lookup import commune_at

    common = {"response": response, "channel": response.channel, "residence_id": response.residence_id}
    other_ids = {option.pk for options in structure.options.values() for option in options if option.is_other}
    rows = []
    for question in structure.questions:
        value = answers.get(question.pk)
        if value is None:
            continue
        kind = question.kind
        if kind == Kind.SINGLE:
            text = value["other"] if value["option"] in other_ids else ""
            rows.append(Answer(question=question, option_id=value["option"], text=text, **common))
        elif kind == Kind.MULTIPLE:
            # rank 1 marks one row per person: results count people without COUNT(DISTINCT).
            rows += [Answer(question=question, option_id=pk, rank=order,
                            text=value["other"] if pk in other_ids else "", **common)
                     for order, pk in enumerate(value["options"], start=1)]
        elif kind == Kind.RANKING:
            rows += [Answer(question=question, option_id=pk, rank=rank, **common)
                     for rank, pk in enumerate(value, start=1)]
        elif kind in (Kind.SCALE, Kind.NUMBER):
            rows.append(Answer(question=question, number=float(value), **common))
        elif kind == Kind.DATE:
            rows.append(Answer(question=question, date=value, **common))
        elif kind in (Kind.SHORT_TEXT, Kind.LONG_TEXT):
            rows.append(Answer(question=question, text=value, **common))
        elif kind == Kind.POINT:
            latitude, longitude = value
            place = commune_at(longitude, latitude)
            rows.append(Answer(question=question, latitude=latitude, longitude=longitude,
                               place_id=place.pk if place else None, **common))
    return rows


def _check_can_answer_on_the_web(component, respondent, anonymous_key: str) -> None:
    if not (component.published and component.space.is_published):
        raise AnswersClosed(_("This questionnaire is not published yet: answers are not accepted."))
    window = answers_open(component)
    if not window.open:
        raise AnswersClosed(_("Answers are closed. %(when)s") % {"when": window.message})
    signed_in = respondent is not None and respondent.is_authenticated
    if not signed_in and component.setting("participation") != "anonymous":
        raise AnswersClosed(_("Sign in to answer this questionnaire."))
    if not signed_in and not anonymous_key:
        raise AnswersClosed(_("Your browser must accept cookies to answer without an account."))


def _existing_response(component, respondent, anonymous_key: str, *, lock: bool = False):
    responses = Response.objects.filter(component=component)
    if lock:
        responses = responses.select_for_update()
    if respondent is not None and respondent.is_authenticated:
        return responses.filter(respondent=respondent).first()
    return responses.filter(anonymous_key=anonymous_key, respondent__isnull=True).first()


def my_response(component, user, anonymous_key: str = ""):
    """The response of USER (signed in) or of this browser session (ANONYMOUS_KEY), or None."""
    if (user is None or not user.is_authenticated) and not anonymous_key:
        return None
    return _existing_response(component, user, anonymous_key)


@send_limited("response")
@transaction.atomic
def response_submit(*, component, answers: dict, respondent=None, anonymous_key: str = "",
                    residence=None) -> tuple[Response, bool]:
    """Send (or resend) the web response of RESPONDENT, or of the browser session ANONYMOUS_KEY.

    One response per participant: a second submission replaces the answers of the first, and two
    submissions racing each other end as one row (the unique constraint, then an update). Returns
    (response, first_time). Raises VerificationRequired when the component reserves answering to verified
    residents and RESPONDENT is not one (anonymous answers included), AnswersClosed when answers are not
    accepted now, ValidationError (keyed by field name) when an answer is wrong; nothing is saved then."""
    _check_kind(component)
    if respondent is not None and not respondent.is_authenticated:
        respondent = None
    action_require(user=respondent, component=component, action="respond")
    _check_can_answer_on_the_web(component, respondent, anonymous_key)
    structure = questionnaire_structure(component)
    cleaned = answers_check(structure, answers)
    if respondent is not None:
        anonymous_key = ""
        residence = residence or getattr(respondent, "residence", None)
    response = _existing_response(component, respondent, anonymous_key, lock=True)
    if response is None:
        try:
            with transaction.atomic():
                response = Response.objects.create(
                    component=component, respondent=respondent, anonymous_key=anonymous_key,
                    channel=Channel.WEB, residence=residence, status=Response.Status.DRAFT,
                )
        except IntegrityError:
            # The same person's other request created it a moment ago: update that one.
            response = _existing_response(component, respondent, anonymous_key, lock=True)
            if response is None:
                raise
    return _response_save(structure, response, cleaned, actor=respondent, residence=residence)


def _response_save(structure: Structure, response: Response, cleaned: dict, *, actor, residence=None,
                   created_at=None) -> tuple[Response, bool]:
    first_time = not response.is_submitted
    now = timezone.now()
    response.status = Response.Status.SUBMITTED
    response.draft_data = {}
    if residence is not None and first_time:
        response.residence = residence
    if first_time:
        response.submitted_at = created_at or now
    response.save()
    Answer.objects.filter(response=response).delete()
    Answer.objects.bulk_create(_answer_rows(structure, response, cleaned))
    organisation = structure.component.space.organisation
    if first_time:
        contribution_record(kind=CONTRIBUTION_KIND, target=response, component=structure.component,
                            author=response.respondent, channel=response.channel, residence=response.residence,
                            created_at=response.submitted_at)
        audit_record(actor=actor, action="consultations.response_submitted", target=response,
                     organisation=organisation, data={"channel": response.channel})
    else:
        audit_record(actor=actor, action="consultations.response_updated", target=response,
                     organisation=organisation, data={"channel": response.channel})
    return response, first_time


DRAFT_VALUE_MAX = LONG_TEXT_MAX
# The form's field names: q<id>, and q<id>_other, q<id>_0 (a rank), q<id>_latitude...
DRAFT_NAME = re.compile(r"^q(\d+)(?:_[a-z0-9]{1,20})?$")


@send_limited("response")
@transaction.atomic
def response_draft_save(*, component, respondent, data: dict) -> Response:
    """Keep RESPONDENT's unfinished answers (raw form values) without sending them: a draft is not
    counted anywhere. Only before the first submission; afterwards changes are sent directly. Refused like
    response_submit when answering is reserved to verified residents."""
    _check_kind(component)
    if respondent is None or not respondent.is_authenticated:
        raise AnswersClosed(_("Sign in to save a draft."))
    action_require(user=respondent, component=component, action="respond")
    _check_can_answer_on_the_web(component, respondent, "")
    known = {str(question.pk) for question in questionnaire_structure(component).questions}
    kept = {}
    for name, value in data.items():
        match = DRAFT_NAME.match(str(name))
        if not match or match[1] not in known:
            continue
        if isinstance(value, list):
            kept[name] = [str(item).replace("\x00", "")[:OPTION_MAX] for item in value[:MAX_OPTIONS]]
        else:
            kept[name] = str(value).replace("\x00", "")[:DRAFT_VALUE_MAX]
    response = _existing_response(component, respondent, "", lock=True)
    if response is not None and response.is_submitted:
        raise ValidationError(_("Your answers are already sent: save your changes with “Send my changes”."))
    if response is None:
        try:
            with transaction.atomic():
                response = Response.objects.create(component=component, respondent=respondent,
                                                   channel=Channel.WEB, residence=respondent.residence)
        except IntegrityError:
            response = _existing_response(component, respondent, "", lock=True)
            if response is None or response.is_submitted:
                raise ValidationError(_("Your answers are already sent: save your changes with “Send my "
                                        "changes”.")) from None
    response.draft_data = kept
    response.save(update_fields=["draft_data", "updated_at"])
    audit_record(actor=respondent, action="consultations.draft_saved", target=response,
                 organisation=component.space.organisation)
    return response


@transaction.atomic
def paper_response_enter(*, actor, component, answers: dict, channel: str = Channel.PAPER, residence=None,
                         answered_on: date | None = None) -> Response:
    """Enter a response collected on paper or at a meeting (CHANNEL). It is anonymous, counted like a
    web response and marked with its channel. Required questions are not enforced (a paper form may
    come back incomplete; the agent types what is written), conditions are. Not subject to answering being
    reserved to verified residents: the team enters it for someone else."""
    _check_kind(component)
    if channel not in PAPER_CHANNELS:
        raise ValidationError({"channel": [_("Choose paper or in person.")]})
    today = timezone.localdate()
    if answered_on is not None and answered_on > today:
        raise ValidationError({"answered_on": [_("The date cannot be in the future.")]})
    structure = questionnaire_structure(component)
    cleaned = answers_check(structure, answers, enforce_required=False)
    created_at = None
    if answered_on is not None and answered_on != today:
        # Noon of that day: the date is what matters, not the hour.
        created_at = timezone.make_aware(datetime.combine(answered_on, time(12)))
    response = Response.objects.create(component=component, channel=channel, residence=residence,
                                       entered_by=actor, status=Response.Status.DRAFT)
    response, _first = _response_save(structure, response, cleaned, actor=actor, residence=residence,
                                      created_at=created_at)
    return response


@transaction.atomic
def response_delete(*, actor, response: Response) -> None:
    """Remove a response entered by mistake (from paper or a meeting); web responses belong to their
    authors and are not deleted by the team."""
    if response.channel not in PAPER_CHANNELS:
        raise ValidationError(_("Only responses entered from paper or a meeting can be deleted."))
    audit_record(actor=actor, action="consultations.response_deleted", target=response,
                 organisation=response.organisation, data={"channel": response.channel})
    contribution_remove(target=response)
    response.delete()


def responses_erase_for(user) -> int:
    """RGPD erasure: the person's answers stay in the results, anonymous; their drafts go."""
    with transaction.atomic():
        Response.objects.filter(respondent=user, status=Response.Status.DRAFT).delete()
        count = Response.objects.filter(respondent=user).update(respondent=None)
        from concerto.core.participation.models import Contribution

        Contribution.objects.filter(kind=CONTRIBUTION_KIND, author=user).update(author=None)
    return count


def question_summary(question) -> str:
    return plain_text(question.label)
