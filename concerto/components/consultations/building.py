"""Building a consultation's questionnaire: its intro, sections, questions and their answers to choose from,
their order. Each change writes an audit entry; once responses are counted (`questionnaire_locked`), nothing
that would change their meaning can be removed.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import translation
from django.utils.translation import gettext as _

from concerto.components.consultations.models import (
    LABEL_MAX,
    MAX_OPTIONS,
    OPTION_MAX,
    Option,
    Question,
    Questionnaire,
    Section,
)
from concerto.components.consultations.questionnaire import Kind, kind_check, questionnaire_locked
from concerto.core.audit.services import audit_record
from concerto.core.richtext import sanitize_html


@transaction.atomic
def questionnaire_intro_update(*, actor, component, intro: str) -> Questionnaire:
    kind_check(component)
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
    kind_check(component)
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


def _move(siblings, item, direction: str, *, actor, action: str) -> bool:
    """Swap ITEM with its neighbour among SIBLINGS (a queryset, in order, ITEM included), renumber the positions
    and write the audit entry ACTION; False at an end. The siblings are locked: two moves at once do not mix."""
    items = list(siblings.select_for_update())
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= target < len(items):
        return False
    items[index], items[target] = items[target], items[index]
    for position, other in enumerate(items):
        other.position = position
    type(item).objects.bulk_update(items, ["position"])
    audit_record(actor=actor, action=action, target=item, organisation=item.organisation,
                 data={"direction": direction})
    return True


@transaction.atomic
def section_move(*, actor, section: Section, direction: str) -> bool:
    return _move(Section.objects.filter(component=section.component_id), section, direction, actor=actor,
                 action="consultations.section_moved")


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
    return _move(Question.objects.filter(section=question.section_id).order_by("position", "pk"), question,
                 direction, actor=actor, action="consultations.question_moved")


@transaction.atomic
def option_move(*, actor, option: Option, direction: str) -> bool:
    return _move(Option.objects.filter(question=option.question_id).order_by("position", "pk"), option,
                 direction, actor=actor, action="consultations.option_moved")
