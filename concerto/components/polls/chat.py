"""Quick polls in a chat (core.registry.Conversation): the question with its answers as quick replies, the
"why?" when the poll asks it, the address of a quartier poll as a location, then the same `poll_answer` as the
web page with the `chatbot` channel. The state kept between messages: the answers ticked, whether the why is
being asked."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from concerto.components.polls.eligibility import PollRefused, answer_refusal
from concerto.components.polls.models import Poll
from concerto.components.polls.services import has_answered, poll_answer, poll_results
from concerto.core.accounts.verification import VerificationRequired
from concerto.core.participation.models import Channel
from concerto.core.participation.notifications import absolute_url
from concerto.core.registry import ChatStep, ChatTurn

DONE, SKIP = "done", "skip"


def _open(organisation):
    return Poll.objects.open().concerning(organisation).prefetch_related("choices").order_by("closes_at", "pk")


def items(organisation) -> list[tuple[str, str]]:
    return [(str(poll.pk), _("Quick poll: %(question)s") % {"question": poll.question})
            for poll in _open(organisation)[:5]]


def _web(poll) -> ChatStep:
    return ChatStep("link", _("You can also answer on the website."), url=absolute_url(poll.get_absolute_url()),
                    label=_("Open the poll"))


def _results(poll, answered: bool) -> list[ChatStep]:
    if not poll.results_shown(answered=answered):
        return [ChatStep("text", _("The results will be shown once the poll is closed."))]
    results = poll_results(poll)
    lines = "\n".join(f"{row['label']} : {row['percent']} % ({row['count']})" for row in results["choices"])
    return [ChatStep("text", _("Results so far (%(count)s answers):") % {"count": results["total"]} + "\n" + lines)]


def _ask(poll, state) -> list[ChatStep]:
    if state.get("why_asked"):
        skip = ((_("Skip"), SKIP),) if poll.why == Poll.Why.OPTIONAL else ()
        return [ChatStep("question" if skip else "text", _("Why? Say it in a few words."), skip)]
    if state.get("point_asked"):
        return [ChatStep("location", _("This poll is for one quartier: share your location, or write your latitude "
                                       "and longitude, for example: 48.7765, 2.29. It is not kept."))]
    ticked = state.get("ticked") or []
    choices = tuple((choice.label, f"c:{choice.pk}") for choice in poll.choices.all() if choice.pk not in ticked)
    text = poll.question
    if poll.multiple:
        text += "\n" + (_("Choose one answer at a time, then “I am done”.") if not ticked else
                        _("Chosen so far: %(list)s. Choose another one or “I am done”.")
                        % {"list": ", ".join(c.label for c in poll.choices.all() if c.pk in ticked)})
        if ticked:
            choices += ((_("I am done"), DONE),)
    return [ChatStep("question", text, choices)]


def _choice_of(poll, text: str, payload: str):
    choices = list(poll.choices.all())
    if payload.startswith("c:"):
        return next((choice for choice in choices if str(choice.pk) == payload[2:]), None)
    text = text.strip()
    if text.isdigit() and 1 <= int(text) <= len(choices):
        return choices[int(text) - 1]
    return next((choice for choice in choices if choice.label.casefold() == text.casefold()), None)


def _point(text: str):
    parts = text.replace(";", ",").split(",")
    try:
        latitude, longitude = (float(part) for part in parts)
    except ValueError:
        return None
    return latitude, longitude


def _take(poll, state: dict, text: str, payload: str) -> str:
    """Put the message into STATE; the error to show, or ""."""
    if state.get("why_asked"):
        state["why"] = "" if payload == SKIP else text
        state["why_asked"], state["why_done"] = False, True
        return ""
    if state.get("point_asked"):
        point = _point(text)
        if point is None:
            return _("Write the latitude and the longitude, for example: 48.7765, 2.29.")
        state["point"], state["point_asked"] = list(point), False
        return ""
    if poll.multiple and (payload == DONE or text.strip().casefold() in {"fini", "j'ai fini", "done"}):
        if not state.get("ticked"):
            return _("Choose at least one answer.")
        state["chosen"] = True
        return ""
    choice = _choice_of(poll, text, payload)
    if choice is None:
        return _("Choose one of the answers.")
    state["ticked"] = [*(state.get("ticked") or []), choice.pk] if poll.multiple else [choice.pk]
    state["chosen"] = not poll.multiple
    return ""


def turn(*, ref: str, state: dict, text: str, payload: str, person, organisation) -> ChatTurn:
    poll = _open(organisation).filter(pk=ref if ref.isdigit() else 0).first()
    if poll is None:
        return ChatTurn([ChatStep("text", _("This poll is not open."))], done=True)
    user = person.user if person.user is not None and person.user.is_authenticated else None
    if has_answered(poll=poll, user=user):
        return ChatTurn([ChatStep("text", _("You have already answered this poll."))] + _results(poll, True),
                        done=True)
    refusal = answer_refusal(poll=poll, user=user)
    if refusal is not None:
        return ChatTurn([ChatStep("text", refusal.message), _web(poll)], done=True)
    steps = []
    state = dict(state)
    if text or payload:
        problem = _take(poll, state, text, payload)
        if problem:
            steps.append(ChatStep("text", problem))
    if state.get("chosen"):
        if poll.why != Poll.Why.NONE and not state.get("why_done"):
            state["why_asked"] = True
        elif poll.target_area and not state.get("point"):
            state["point_asked"] = True
        else:
            try:
                poll_answer(poll=poll, user=user, choices=state["ticked"], why=state.get("why", ""),
                            channel=Channel.CHATBOT, point=tuple(state["point"]) if state.get("point") else None)
            except ValidationError as error:
                messages = [message for values in error.message_dict.values() for message in values]
                return ChatTurn(steps + [ChatStep("text", messages[0]), _web(poll)], done=True)
            except (PollRefused, VerificationRequired) as refused:
                return ChatTurn(steps + [ChatStep("text", refused.message), _web(poll)], done=True)
            return ChatTurn(steps + [ChatStep("text", _("Thank you: your answer is recorded."))]
                            + _results(poll, True), done=True)
    return ChatTurn(steps + _ask(poll, state), state=state)
