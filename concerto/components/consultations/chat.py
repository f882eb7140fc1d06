"""The consultation in a chat (core.registry.Conversation): its questions one by one, then the same
`response_submit` as the web page, with the `chatbot` channel. The state kept between messages is the answers
given so far (JSON) and, for a multiple choice, the options ticked; the person can stop and come back."""

import re
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext as _

from concerto.components.consultations.models import Answer, Response, results_url
from concerto.components.consultations.questionnaire import (
    Kind,
    answers_check,
    questionnaire_structure,
    visible_question_ids,
)
from concerto.components.consultations.services import AnswersClosed, answer_refusal, response_submit
from concerto.core.accounts.verification import VerificationRequired, action_require
from concerto.core.participation.models import Channel
from concerto.core.participation.notifications import absolute_url
from concerto.core.ratelimit import RateLimited
from concerto.core.registry import ChatStep, ChatTurn
from concerto.core.spaces.models import Component

MAX_CHOICES = 11
SKIP = "skip"
DONE = "done"


def items(organisation) -> list[tuple[str, str]]:
    components = (Component.objects.published().of_kind("consultations")
                  .filter(space__organisation=organisation).select_related("space").order_by("pk"))
    return [(str(component.pk), component.title) for component in components
            if component.space.is_published and component.window("answers_open").open]


def questions(ref: str) -> list[tuple[str, str, int]]:
    """The questions of consultation REF in the chat's order, with how many submitted chat responses answer
    each (the chat's drop-off figures, core.registry.Conversation.questions)."""
    component = Component.objects.of_kind("consultations").filter(pk=ref if ref.isdigit() else 0).first()
    if component is None:
        return []
    answered = dict(Answer.objects.filter(question__component=component, response__channel=Channel.CHATBOT,
                                          response__status=Response.Status.SUBMITTED)
                    .values_list("question").annotate(n=Count("response", distinct=True)).order_by())
    return [(str(question.pk), question.label, answered.get(question.pk, 0))
            for question in questionnaire_structure(component).questions]


def _component(organisation, ref: str):
    return (Component.objects.published().of_kind("consultations")
            .filter(space__organisation=organisation, pk=ref if ref.isdigit() else 0).first())


def _stored(structure, answers: dict) -> dict:
    """The answers kept in the state (JSON: string keys, dates as text) as answers_check takes them."""
    values = {}
    for key, value in answers.items():
        question = structure.by_id.get(int(key))
        if question is None:
            continue
        if question.kind == Kind.DATE:
            value = datetime.strptime(value, "%Y-%m-%d").date()
        values[question.pk] = value
    return values


def _next_question(structure, answers: dict, skipped: list):
    values = _stored(structure, answers)
    visible = visible_question_ids(structure.questions, values)
    for question in structure.questions:
        if question.pk in visible and str(question.pk) not in answers and question.pk not in skipped:
            return question
    return None


def _ask(structure, question, state: dict) -> list[ChatStep]:
    options = structure.options.get(question.pk, [])
    position = [q.pk for q in structure.questions].index(question.pk) + 1
    head = f"({position}/{len(structure.questions)}) {question.label}"
    if question.help_text:
        head += f"\n{question.help_text}"
    skip = () if question.required else ((_("Skip"), SKIP),)
    if state.get("other_for") == question.pk:
        return [ChatStep("text", _("Say what your “other” answer is."))]
    if question.kind in (Kind.SINGLE, Kind.MULTIPLE):
        lines = "\n".join(f"{number}. {option.label}" for number, option in enumerate(options, start=1))
        text = f"{head}\n{lines}"
        if question.kind == Kind.MULTIPLE:
            ticked = state.get("ticked") or []
            text += "\n" + (_("Choose one answer at a time, then “I am done”.") if not ticked else
                            _("Chosen so far: %(list)s. Choose another one or “I am done”.")
                            % {"list": ", ".join(o.label for o in options if o.pk in ticked)})
            rest = [option for option in options if option.pk not in ticked]
            extra = ((_("I am done"), DONE),) if ticked else skip
        else:
            rest, extra = options, skip
        choices = tuple((option.label, f"o:{option.pk}") for option in rest)
        if len(choices) + len(extra) > MAX_CHOICES:
            text += "\n" + _("Reply with the number of your answer.")
            choices = ()
        return [ChatStep("question", text, choices + extra)]
    if question.kind == Kind.SCALE:
        scale = question.scale_range()
        text = head + "\n" + _("From %(min)s (%(min_label)s) to %(max)s (%(max_label)s).") % {
            "min": scale[0], "max": scale[-1], "min_label": question.scale_min_label or "-",
            "max_label": question.scale_max_label or "-"}
        choices = tuple((str(value), f"n:{value}") for value in scale)
        if len(choices) + len(skip) > MAX_CHOICES:
            return [ChatStep("question", text + "\n" + _("Reply with a number."), skip)]
        return [ChatStep("question", text, choices + skip)]
    if question.kind == Kind.RANKING:
        lines = "\n".join(f"{number}. {option.label}" for number, option in enumerate(options, start=1))
        return [ChatStep("question", f"{head}\n{lines}\n" + _("Reply with the numbers from the most to the least "
                                                                "important, for example: 2 1 3."), skip)]
    if question.kind == Kind.POINT:
        return [ChatStep("location", head + "\n" + _("Share a location, or write its latitude and longitude, "
                                                      "for example: 48.7765, 2.29."), skip)]
    hint = {Kind.NUMBER: _("Reply with a number."), Kind.DATE: _("Reply with a date, for example 14/07/2026.")}
    text = head + (f"\n{hint[question.kind]}" if question.kind in hint else "")
    return [ChatStep("question" if skip else "text", text, skip)]


def _option_of(options, text: str, payload: str):
    if payload.startswith("o:"):
        return next((option for option in options if str(option.pk) == payload[2:]), None)
    if text.strip().isdigit() and 1 <= int(text) <= len(options):
        return options[int(text) - 1]
    return next((option for option in options if option.label.casefold() == text.strip().casefold()), None)


def _value(question, options, text: str, payload: str, state: dict):
    """The answer in the form answers_check takes (JSON-safe), or raise ValidationError with a French message."""
    kind = question.kind
    if kind in (Kind.SINGLE, Kind.MULTIPLE):
        option = _option_of(options, text, payload)
        if option is None:
            raise ValidationError(_("Choose one of the answers offered."))
        return option
    if kind == Kind.SCALE:
        raw = payload[2:] if payload.startswith("n:") else text.strip()
        if not re.fullmatch(r"-?\d{1,3}", raw):
            raise ValidationError(_("Reply with a number."))
        return int(raw)
    if kind == Kind.NUMBER:
        try:
            return float(text.strip().replace(",", ".").replace("\u202f", "").replace(" ", ""))
        except ValueError:
            raise ValidationError(_("Reply with a number.")) from None
    if kind == Kind.DATE:
        for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d/%m/%y"):
            try:
                return datetime.strptime(text.strip(), pattern).date().isoformat()
            except ValueError:
                continue
        raise ValidationError(_("Reply with a date, for example 14/07/2026."))
    if kind == Kind.RANKING:
        numbers = re.findall(r"\d+", text)
        if not numbers or any(not 1 <= int(n) <= len(options) for n in numbers):
            raise ValidationError(_("Give each answer a different rank, from 1 to %(count)s.")
                                  % {"count": len(options)})
        return [options[int(n) - 1].pk for n in numbers]
    if kind == Kind.POINT:
        match = re.fullmatch(r"\s*(-?\d+(?:\.\d+)?)\s*[,; ]\s*(-?\d+(?:\.\d+)?)\s*", payload or text)
        if not match:
            raise ValidationError(_("Share a location, or write its latitude and longitude, for example: "
                                    "48.7765, 2.29."))
        return [float(match[1]), float(match[2])]
    if not text.strip():
        raise ValidationError(_("Reply with a text."))
    return text.strip()


def _check(structure, answers: dict, question) -> None:
    try:
        answers_check(structure, _stored(structure, answers), enforce_required=False)
    except ValidationError as error:
        messages = error.message_dict.get(question.field_name) or next(iter(error.message_dict.values()), [])
        raise ValidationError(messages[0] if messages else _("This answer is not accepted.")) from None


def _record(structure, question, state: dict, text: str, payload: str) -> None:
    """Put the answer to QUESTION into STATE, or raise ValidationError (the state is left as it was)."""
    answers = dict(state.get("answers") or {})
    key = str(question.pk)
    options = structure.options.get(question.pk, [])
    if state.get("other_for") == question.pk:
        value = dict(state["pending"])
        value["other"] = text.strip()
        answers[key] = value
        _check(structure, answers, question)
        state.update(answers=answers, other_for=None, pending=None, ticked=[])
        return
    if question.kind == Kind.MULTIPLE:
        ticked = list(state.get("ticked") or [])
        if payload == DONE or text.strip().casefold() in {"fini", "j'ai fini", "terminé", "termine", "done"}:
            if not ticked:
                raise ValidationError(_("Choose at least one answer, or skip the question."))
            value = {"options": ticked, "other": ""}
            if any(option.is_other and option.pk in ticked for option in options):
                state.update(other_for=question.pk, pending=value)
                return
            answers[key] = value
            _check(structure, answers, question)
            state.update(answers=answers, ticked=[])
            return
        option = _value(question, options, text, payload, state)
        if option.pk not in ticked:
            ticked.append(option.pk)
        if question.max_choices and len(ticked) > question.max_choices:
            raise ValidationError(_("Choose at most %(max)s answers.") % {"max": question.max_choices})
        state["ticked"] = ticked
        return
    value = _value(question, options, text, payload, state)
    if question.kind == Kind.SINGLE:
        value = {"option": value.pk, "other": ""}
        if any(option.is_other and option.pk == value["option"] for option in options):
            state.update(other_for=question.pk, pending=value)
            return
    answers[key] = value
    _check(structure, answers, question)
    state["answers"] = answers


def _web(component) -> ChatStep:
    return ChatStep("link", _("You can also answer on the website."), url=absolute_url(component.get_absolute_url()),
                    label=_("Open the questionnaire"))


def turn(*, ref: str, state: dict, text: str, payload: str, person, organisation) -> ChatTurn:
    component = _component(organisation, ref)
    if component is None:
        return ChatTurn([ChatStep("text", _("This questionnaire is not open."))], done=True)
    user = person.user if person.user is not None and person.user.is_authenticated else None
    refusal = answer_refusal(component=component, respondent=user, anonymous_key=person.key)
    if not refusal:
        try:
            action_require(user=user, component=component, action="respond")
        except VerificationRequired as required:
            refusal = required.message
    if refusal:
        return ChatTurn([ChatStep("text", refusal), _web(component)], done=True)
    structure = questionnaire_structure(component)
    state = {"answers": {}, "skipped": [], **state}
    steps = []
    if not text and not payload:
        if not state["answers"] and not state.get("started"):
            state["started"] = True
            steps.append(ChatStep("text", _("Questionnaire: %(title)s") % {"title": component.title}
                                  + (f"\n{structure.intro[:600]}" if structure.intro else "")))
        else:
            steps.append(ChatStep("text", _("Let us go on where you stopped.")))
    else:
        question = _next_question(structure, state["answers"], state["skipped"])
        if question is not None:
            if payload == SKIP and not question.required:
                state["skipped"] = [*state["skipped"], question.pk]
                state.update(ticked=[], other_for=None, pending=None)
            else:
                try:
                    _record(structure, question, state, text, payload)
                except ValidationError as error:
                    steps.append(ChatStep("text", error.messages[0]))
    question = _next_question(structure, state["answers"], state["skipped"])
    if question is not None:
        return ChatTurn(steps + _ask(structure, question, state), state=state)
    try:
        response_submit(component=component, answers=_stored(structure, state["answers"]),
                                           respondent=user, anonymous_key=person.key, channel=Channel.CHATBOT)
    except (AnswersClosed, VerificationRequired, RateLimited) as refused:
        return ChatTurn(steps + [ChatStep("text", getattr(refused, "message", str(refused))), _web(component)],
                        done=True)
    except ValidationError as error:
        messages = [message for values in error.message_dict.values() for message in values]
        return ChatTurn(steps + [ChatStep("text", messages[0] if messages else _("This answer is not accepted.")),
                                 _web(component)], done=True)
    steps.append(ChatStep("text", _("Thank you, your answers are recorded.")))
    if component.setting("results_visibility") == "public":
        steps.append(ChatStep("link", _("The results are published on the website."),
                              url=absolute_url(results_url(component)), label=_("See the results")))
    return ChatTurn(steps, done=True)
