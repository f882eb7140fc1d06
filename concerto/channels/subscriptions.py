"""« Recevoir les actualités » in a chat: an explicit opt-in, then the topics picked with quick replies.

The engine's menu offers it (payload `news`); `handles` and `turn` are the engine's only entry points here. The
person first reads what will be sent and how to stop, says yes, then picks « Tous les thèmes » or topics one at a
time (nine per page, « Autres thèmes » shows the next ones) and ends with « C'est tout ». Asked again later, the
menu entry shows their topics and lets them change or stop. STOP (engine) ends every subscription at once.
What is sent, and when, is concerto/channels/broadcasts.py.
"""

from django.utils.translation import gettext as _

from concerto.channels import services
from concerto.channels.models import ChatSubscription, Participant
from concerto.core.registry import ChatStep
from concerto.core.spaces.models import Topic

NEWS_WORDS = {"ACTUALITES", "ACTUS", "NEWS", "RECEVOIR LES ACTUALITES"}
PAGE = 9


def handles(payload: str, word: str) -> bool:
    return payload == "news" or payload.startswith(("news:", "topic:")) or word in NEWS_WORDS


def menu_choice() -> tuple[str, str]:
    return (_("Receive the news"), "news")


def _live(participant: Participant):
    return ChatSubscription.objects.filter(participant=participant, organisation=participant.organisation,
                                           stopped_at=None).first()


def _names(subscription: ChatSubscription) -> str:
    if subscription.all_topics:
        return _("all topics")
    return ", ".join(topic.label for topic in subscription.topics.all()) or _("all topics")


def turn(participant: Participant, payload: str, menu) -> list[ChatStep]:
    """Answer one step of the subscription; MENU(participant) is the engine's menu, shown when it ends."""
    state = dict(participant.state.get("news") or {"picked": [], "page": 0})
    name = participant.organisation.name
    if payload == "news:yes":
        participant.state = {**participant.state, "news": {"picked": [], "page": 0}}
        return [_topics_question(participant)]
    if payload == "news:more":
        participant.state = {**participant.state, "news": {**state, "page": state.get("page", 0) + 1}}
        return [_topics_question(participant)]
    if payload.startswith("topic:"):
        slug = payload[6:]
        if Topic.objects.filter(slug=slug).exists() and slug not in state["picked"]:
            state["picked"] = [*state["picked"], slug]
        participant.state = {**participant.state, "news": {**state, "page": 0}}
        return [_topics_question(participant)]
    if payload in ("news:all", "news:done"):
        picked = list(Topic.objects.filter(slug__in=state.get("picked", [])))
        if payload == "news:done" and not picked:
            return [_topics_question(participant)]
        subscription = services.chat_subscription_save(participant=participant, organisation=participant.organisation,
                                                       topics=picked, all_topics=payload == "news:all")
        participant.state = {key: value for key, value in participant.state.items() if key != "news"}
        return [ChatStep("text", _("Done: you will receive here the news of %(name)s on: %(topics)s. To change the "
                                   "topics, choose “Receive the news” in the menu again; to stop everything, write "
                                   "STOP.") % {"name": name, "topics": _names(subscription)}), *menu(participant)]
    if payload == "news:stop":
        services.chat_subscriptions_stop(participant=participant)
        return [ChatStep("text", _("Understood: you will receive no more news here. You can subscribe again from "
                                   "the menu.")), *menu(participant)]
    subscription = _live(participant)
    if subscription is not None:
        return [ChatStep("question", _("You receive here the news of %(name)s on: %(topics)s.") % {
            "name": name, "topics": _names(subscription)},
            ((_("Change topics"), "news:yes"), (_("Stop the news"), "news:stop"), (_("Menu"), "menu")))]
    return [ChatStep("question", _(
        "Would you like to receive the news of %(name)s here? You will get a short message with a link when the "
        "commune publishes news on the topics you choose, and now and then a message from the commune. Nothing "
        "else, and your details are shared with no one. Write STOP at any time to stop everything.") % {
            "name": name}, ((_("Yes, subscribe"), "news:yes"), (_("No, thanks"), "menu")))]


def _topics_question(participant: Participant) -> ChatStep:
    state = participant.state.get("news") or {"picked": [], "page": 0}
    picked = state.get("picked", [])
    remaining = [topic for topic in Topic.objects.all() if topic.slug not in picked]
    pages = max((len(remaining) + PAGE - 1) // PAGE, 1)
    start = (state.get("page", 0) % pages) * PAGE
    choices = [] if picked else [(_("All topics"), "news:all")]
    choices += [(topic.label, f"topic:{topic.slug}") for topic in remaining[start:start + PAGE]]
    if len(remaining) > PAGE:
        choices.append((_("Other topics"), "news:more"))
    if picked:
        choices.append((_("That's all"), "news:done"))
        names = ", ".join(topic.label for topic in Topic.objects.filter(slug__in=picked))
        text = _("Chosen: %(topics)s. Another topic, or “That's all”?") % {"topics": names}
    else:
        text = _("Which topics interest you? Choose “All topics”, or one topic, then others.")
    return ChatStep("question", text, tuple(choices))
