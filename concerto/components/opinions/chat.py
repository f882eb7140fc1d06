"""Opinion debates in a chat (core.registry.Conversation): the next statement with the buttons agree / disagree
/ pass (and « I am done »), the vote through the same `services.vote` as the pages and the API, then the next one, until
the person has voted on every statement shown (then « write a statement » or « I am done »). The state kept between
messages: the statement on screen (`finished` once there is none left).

« Write a statement » (a button, or the word « écrire ») asks for the statement in the next message, which goes
through the pages' own `services.write_statement`: the same length, duplicate and moderation rules. When shown
statements say nearly the same thing, the chat shows them and asks whether to vote on them instead or to send it
anyway (the text waits in the state meanwhile). The state then holds `writing` or `pending` (the text to confirm).

Who may take part and the next statement (Polis's priority) are the pages' own: `services.participation_refusal`
and `services.next_statement`. A chat has no session to key an anonymous participant: a chat not linked to an
account is asked to sign in, even in a debate open to anyone."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from concerto.components.opinions import moderation, services
from concerto.core.participation.models import Channel
from concerto.core.participation.notifications import absolute_url
from concerto.core.registry import ChatStep, ChatTurn

DONE = "done"  # not "stop": the engine takes STOP as leaving the chat altogether
WRITE, SEND_ANYWAY, CANCEL = "write", "send-anyway", "cancel"
# What a person may type to write a statement (SMS has no buttons).
WRITE_WORDS = {"écrire", "ecrire", "proposer", "write"}
CANCEL_WORDS = {"annuler", "cancel"}
SIMILAR_SHOWN = 3
VOTES = {"1": 1, "-1": -1, "0": 0}
# What a person may type instead of pressing a button (SMS has none).
WORDS = {"d'accord": 1, "d’accord": 1, "oui": 1, "pour": 1, "agree": 1, "pas d'accord": -1, "pas d’accord": -1,
         "non": -1, "contre": -1, "disagree": -1, "passer": 0, "je ne sais pas": 0, "pass": 0}


def _open(organisation):
    return (moderation.open_conversations().filter(component__space__organisation=organisation)
            .select_related("component__space__organisation").order_by("closes_at", "pk"))


def items(organisation) -> list[tuple[str, str]]:
    return [(str(conversation.pk), _("Debate: %(question)s") % {"question": conversation.question})
            for conversation in _open(organisation)[:5]]


def _web(conversation) -> ChatStep:
    return ChatStep("link", _("You can also take part on the website."),
                    url=absolute_url(conversation.component.get_absolute_url()), label=_("Open the debate"))


def _ask(statement) -> ChatStep:
    return ChatStep("question", _("What do you think of this statement?") + "\n« " + statement.text + " »", (
        (_("Agree"), f"v:{statement.pk}:1"), (_("Disagree"), f"v:{statement.pk}:-1"),
        (_("Pass / unsure"), f"v:{statement.pk}:0"), (_("Write a statement"), WRITE), (_("I am done"), DONE)))


def _writing_asked() -> ChatStep:
    return ChatStep("question", _("Write your statement in one message: one idea, in %(max)s characters at most. "
                                  "It is read by the moderators before or after it is shown, as the debate says.")
                    % {"max": services.STATEMENT_MAX_LENGTH}, ((_("Cancel"), CANCEL),))


def _write(conversation, user, text: str, *, confirmed: bool) -> tuple[list[ChatStep], dict | None]:
    """The steps after a statement is sent, and the state to keep (None: back to voting)."""
    try:
        statement = services.write_statement(conversation, user, text, confirmed=confirmed, anonymous=False,
                                             channel=Channel.CHATBOT)
    except ValidationError as error:
        return [ChatStep("text", " ".join(error.messages)), _writing_asked()], {"writing": True}
    except services.SimilarStatements as similar:
        lines = "\n".join(f"« {found.text} »" for found in similar.statements[:SIMILAR_SHOWN])
        return [ChatStep("question", similar.message + "\n" + lines, (
            (_("Send mine anyway"), SEND_ANYWAY), (_("Vote on them instead"), CANCEL)))], {"pending": text}
    except services.VoteRefused as refused:
        return [ChatStep("text", refused.message)], None
    if statement.is_shown:
        return [ChatStep("text", _("Thank you: your statement is in the debate, and your vote on it counts as "
                                   "agree."))], None
    return [ChatStep("text", _("Thank you: your statement will be shown once a moderator has read it."))], None


def _vote_of(state: dict, text: str, payload: str):
    """(statement id, vote) the message gives, or None."""
    if payload.startswith("v:"):
        _prefix, statement, value = (payload.split(":") + ["", ""])[:3]
        if statement.isdigit() and value in VOTES:
            return int(statement), VOTES[value]
        return None
    value = WORDS.get(" ".join(text.casefold().split()))
    if value is not None and state.get("statement"):
        return state["statement"], value
    return None


def turn(*, ref: str, state: dict, text: str, payload: str, person, organisation) -> ChatTurn:
    conversation = _open(organisation).filter(pk=ref if ref.isdigit() else 0).first()
    if conversation is None:
        return ChatTurn([ChatStep("text", _("This debate is not open."))], done=True)
    if payload == DONE or text.strip().casefold() in {"fin", "fini", "j'ai fini", "j’ai fini", "done"}:
        return ChatTurn([ChatStep("text", _("Thank you for your votes. You can come back to this debate at any "
                                            "time.")), _web(conversation)], done=True)
    user = person.user if person.user is not None and person.user.is_authenticated else None
    refusal = services.participation_refusal(conversation, user, anonymous=False)
    if refusal is not None:
        return ChatTurn([ChatStep("text", refusal.message), _web(conversation)], done=True)
    steps = [] if any(state.get(key) for key in ("statement", "writing", "pending", "finished")) else [
        ChatStep("text", conversation.question)]
    if payload == WRITE or (not payload and text.strip().casefold() in WRITE_WORDS):
        return ChatTurn(steps + [_writing_asked()], state={"writing": True})
    if payload == CANCEL or (not payload and (state.get("writing") or state.get("pending"))
                             and text.strip().casefold() in CANCEL_WORDS):
        text = payload = ""
    elif state.get("pending") and payload == SEND_ANYWAY:
        written, kept = _write(conversation, user, state["pending"], confirmed=True)
        if kept is not None:
            return ChatTurn(steps + written, state=kept)
        steps += written
        text = payload = ""
    elif state.get("writing") and text.strip() and not payload:
        written, kept = _write(conversation, user, text, confirmed=False)
        if kept is not None:
            return ChatTurn(steps + written, state=kept)
        steps += written
        text = ""
    if text or payload:
        chosen = _vote_of(state, text, payload)
        statement = (conversation.shown_statements().filter(pk=chosen[0]).first()
                     if chosen is not None else None)
        if statement is None:
            steps.append(ChatStep("text", _("Choose agree, disagree or pass.")))
        else:
            try:
                services.vote(statement, user, chosen[1], anonymous=False, channel=Channel.CHATBOT)
            except services.VoteRefused:
                steps.append(ChatStep("text", _("This statement is no longer shown.")))
    statement = services.next_statement(conversation, services.participant_key(user))
    if statement is None:
        return ChatTurn(steps + [_web(conversation),
                                 ChatStep("question", _("You have voted on every statement of this debate: thank "
                                                        "you. The opinion groups are updated in a few minutes."),
                                          ((_("Write a statement"), WRITE), (_("I am done"), DONE)))],
                        state={"finished": True})
    return ChatTurn(steps + [_ask(statement)], state={"statement": statement.pk})
