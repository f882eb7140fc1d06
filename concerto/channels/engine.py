"""The dialogue engine: one conversation per person and platform, in small steps (core.registry.ChatStep).

Transports (messenger.py, web.py) turn a platform's event into `inbound_handle(...)` and its steps into the
platform's format; they hold no participation logic. The engine knows the commune, the menu and STOP; what a
person can do is offered by each component's manifest (`conversation`, a core.registry.Conversation), which the
engine calls without importing the component. A component's writes go through its own services.
"""

import logging
import unicodedata

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from concerto.channels import linking, secrets, subscriptions
from concerto.channels.models import ChatTicket, Message, Participant
from concerto.core import registry
from concerto.core.audit.services import audit_record
from concerto.core.registry import ChatPerson, ChatStep
from concerto.core.territory.models import Organisation

logger = logging.getLogger("concerto.channels")

MAX_CHOICES = 11
OFFERS_SECONDS = 30
STOP_WORDS = {"STOP", "ARRET", "ARRETER", "DESABONNER", "DESINSCRIRE", "UNSUBSCRIBE"}
START_WORDS = {"START", "RECOMMENCER", "REPRENDRE"}
MENU_WORDS = {"MENU", "ACCUEIL"}
AGENT_WORDS = {"AGENT", "PARLER A UN AGENT", "CONSEILLER", "HUMAIN"}
OPT_OUT = "__opt_out__"  # what a transport passes as the payload of the platform's own opt-out


def _folded(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return " ".join(text.upper().split()).strip(" .!")


def participant_get(*, platform: str, user_id: str, channel=None, user=None) -> Participant:
    """The participant of USER_ID on PLATFORM, created at their first message."""
    key_hash = secrets.lookup_hash(platform, user_id)
    participant = Participant.objects.filter(platform=platform, key_hash=key_hash).first()
    if participant is None:
        try:
            with transaction.atomic():
                participant = Participant.objects.create(
                    platform=platform, key_hash=key_hash, address_encrypted=secrets.encrypt(user_id),
                    channel=channel, user=user, organisation_id=channel.organisation_id if channel else None)
        except IntegrityError:  # the same person's other event created it a moment ago
            participant = Participant.objects.get(platform=platform, key_hash=key_hash)
    changed = []
    if channel is not None and participant.channel_id != channel.pk:
        participant.channel = channel
        changed.append("channel")
    if user is not None and participant.user_id != user.pk:
        participant.user = user
        changed.append("user")
    if changed:
        participant.save(update_fields=changed)
    return participant


@transaction.atomic
def inbound_handle(*, participant: Participant, text: str = "", payload: str = "",
                   external_id: str | None = None, attachments: tuple = ()) -> list[ChatStep] | None:
    """Record one message of PARTICIPANT and answer it: the steps to send (empty: silence), or None when the
    platform delivered the same message (EXTERNAL_ID) before. ATTACHMENTS (core.registry.ChatAttachment, already
    fetched by the transport) go to the component whose conversation takes them."""
    text = (text or "").replace("\x00", "").strip()[:2000]
    payload = (payload or "").strip()[:200]
    try:
        with transaction.atomic():
            Message.objects.create(participant=participant, direction=Message.Direction.IN,
                                   external_id=external_id or None,
                                   text=text or payload or (f"[{attachments[0].kind}]" if attachments else ""))
    except IntegrityError:
        return None
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    participant.last_inbound_at = timezone.now()
    steps = _answer(participant, text, payload, tuple(attachments))
    participant.save(update_fields=["state", "organisation", "stopped_at", "last_inbound_at"])
    Message.objects.bulk_create([Message(participant=participant, direction=Message.Direction.OUT,
                                         text=_step_text(step)) for step in steps])
    return steps


def _step_text(step: ChatStep) -> str:
    parts = [step.text] + [label for label, _payload in step.choices] + ([step.url] if step.url else [])
    return "\n".join(part for part in parts if part)


def _answer(participant: Participant, text: str, payload: str, attachments: tuple = ()) -> list[ChatStep]:
    word = _folded(text)
    if payload == OPT_OUT or word in STOP_WORDS or payload == "stop":
        if participant.stopped_at:
            return []
        participant.stopped_at = timezone.now()
        participant.state = {}
        from concerto.channels.services import chat_subscriptions_stop

        chat_subscriptions_stop(participant=participant)  # STOP ends the news subscriptions too
        audit_record(actor=participant.user, action="channels.stopped", organisation=participant.organisation,
                     data={"platform": participant.platform})
        return [ChatStep("text", _("Understood: you will receive no more messages from us. Your answers "
                                   "already sent are kept. Write START if you want to come back."))]
    if participant.stopped_at:
        if word not in START_WORDS:
            return []
        participant.stopped_at = None
        participant.state = {}  # as a first message: the greeting, then the menu or the commune question
    state = participant.state or {}
    if not state.get("started"):
        participant.state = {"started": True}
        if participant.organisation_id:
            return _greeting(participant) + _menu(participant)
        return _greeting(participant) + [_ask_commune()]
    if payload == "start":  # the web chat opened again, or the platform's "get started" button
        return _menu(participant) if participant.organisation_id else [_ask_commune()]
    if payload == "commune" or word in {"COMMUNE", "CHANGER DE COMMUNE"}:
        participant.state = {"started": True, "asking_commune": True}
        return [_ask_commune()]
    if payload.startswith("org:"):
        return _commune_chosen(participant, payload[4:])
    if participant.organisation_id is None or state.get("asking_commune"):
        return _commune_search(participant, text)
    if payload == "agent" or word in AGENT_WORDS:
        return _agent_asked(participant)
    linked = linking.chat_answer(participant, word, text, payload)  # « Lier mon compte » and the code typed
    if linked is not None:
        return linked
    ticket = ChatTicket.objects.filter(participant=participant, closed_at=None).first()
    if ticket is not None and payload != "menu" and word not in MENU_WORDS:
        ticket.last_activity_at = timezone.now()
        ticket.save(update_fields=["last_activity_at"])
        return []  # an agent reads this and answers from the back-office
    if payload == "menu" or word in MENU_WORDS:
        participant.state = {**state, "flow": None}
        return _menu(participant)
    if subscriptions.handles(payload, word):
        return subscriptions.turn(participant, payload, _menu)
    if payload.startswith("item:"):
        return _flow_start(participant, payload[5:])
    if state.get("flow"):
        return _flow_turn(participant, text, payload, attachments=attachments)
    return [ChatStep("text", _("I did not understand.")), *_menu(participant)]


def _agent_asked(participant: Participant) -> list[ChatStep]:
    from concerto.channels.services import chat_ticket_open

    chat_ticket_open(participant=participant)
    return [ChatStep("question", _("An agent of %(name)s will answer you here, usually within two working days. "
                                   "From now on, the agents of the commune can read what you write here, until "
                                   "they close the conversation. Write MENU to come back to the assistant.")
                     % {"name": participant.organisation.name}, ((_("Menu"), "menu"),))]


def _greeting(participant: Participant) -> list[ChatStep]:
    return [ChatStep("text", _("Hello! I am the participation assistant of your commune, on Concerto. Here you "
                               "can answer consultations and support proposals. Write STOP at any time to "
                               "stop receiving messages."))]


def _ask_commune() -> ChatStep:
    return ChatStep("text", _("Which commune do you live in? Write its name or its postcode."))


def _commune_search(participant: Participant, text: str) -> list[ChatStep]:
    if len(text) < 2:
        return [_ask_commune()]
    found = list(Organisation.objects.communes().search(text)[:MAX_CHOICES - 1])
    if not found:
        return [ChatStep("text", _("I found no commune of the Métropole called “%(text)s”. Write its name or "
                                   "its postcode, for example Sceaux or 92330.") % {"text": text[:60]})]
    if len(found) == 1:
        return _commune_chosen(participant, str(found[0].pk))
    return [ChatStep("question", _("Which one?"), tuple((org.name, f"org:{org.pk}") for org in found))]


def _commune_chosen(participant: Participant, pk: str) -> list[ChatStep]:
    organisation = Organisation.objects.communes().filter(pk=pk if pk.isdigit() else 0).first()
    if organisation is None:
        return [_ask_commune()]
    participant.organisation = organisation
    participant.state = {"started": True}
    return [ChatStep("text", _("Your commune: %(name)s.") % {"name": organisation.name}), *_menu(participant)]


def _offers(organisation) -> list[tuple[str, str]]:
    """(title, payload) of everything open in ORGANISATION, from the components' manifests. Kept for
    OFFERS_SECONDS in the cache: the menu of a commune is the same for everyone, and asking every component at
    every first message was most of a webhook's time (each component checks again when a person picks one)."""
    key = f"channels:offers:{organisation.pk}"
    offers = cache.get(key)
    if offers is None:
        offers = _offers_read(organisation)
        cache.set(key, offers, OFFERS_SECONDS)
    return offers


def _offers_read(organisation) -> list[tuple[str, str]]:
    offers = []
    for manifest in registry.components():
        if manifest.conversation is None:
            continue
        for ref, title in manifest.conversation.items(organisation):
            offers.append((title, f"item:{manifest.name}:{ref}"))
    return offers


def _menu(participant: Participant) -> list[ChatStep]:
    change = (_("Change commune"), "commune")
    agent = (_("Talk to an agent"), "agent")
    news = subscriptions.menu_choice()
    # A chat not linked to an account (except the web chat: signing in links it) is offered the linking.
    fixed = (agent, change, news) if participant.user_id or participant.platform == "web" else (
        agent, change, news, (_("Link my account"), "link"))
    offers = _offers(participant.organisation)[:MAX_CHOICES - len(fixed)]
    if not offers:
        return [ChatStep("question", _("Nothing is open in %(name)s right now. Come back soon!")
                         % {"name": participant.organisation.name}, fixed)]
    lines = "\n".join(f"{number}. {title}" for number, (title, _payload) in enumerate(offers, start=1))
    # Full titles: each transport cuts them to its platform's limit (Messenger: 20 characters).
    choices = tuple((f"{number}. {title}", payload) for number, (title, payload) in enumerate(offers, start=1))
    return [ChatStep("question", _("What is open in %(name)s:\n%(lines)s\nWhat would you like to do?")
                     % {"name": participant.organisation.name, "lines": lines}, choices + fixed)]


def _person(participant: Participant) -> ChatPerson:
    return ChatPerson(user=participant.user, key=participant.anonymous_key, platform=participant.platform)


def _flow_start(participant: Participant, item: str) -> list[ChatStep]:
    name, _sep, ref = item.partition(":")
    if (name, ref) not in {tuple(payload[5:].split(":", 1)) for _t, payload in _offers(participant.organisation)}:
        return [ChatStep("text", _("This is no longer open.")), *_menu(participant)]
    flows = dict(participant.state.get("flows") or {})
    participant.state = {**participant.state, "flow": item, "flows": flows}
    return _flow_turn(participant, "", "", resume=True)


def _flow_turn(participant: Participant, text: str, payload: str, resume: bool = False,
               attachments: tuple = ()) -> list[ChatStep]:
    item = participant.state["flow"]
    name, _sep, ref = item.partition(":")
    try:
        conversation = registry.get(name).conversation
    except LookupError:
        conversation = None
    if conversation is None:
        participant.state = {**participant.state, "flow": None}
        return _menu(participant)
    flows = dict(participant.state.get("flows") or {})
    own = dict(flows.get(item) or {})
    extra = {"attachments": () if resume else attachments} if conversation.attachments else {}
    turn = conversation.turn(ref=ref, state=own, text="" if resume else text, payload="" if resume else payload,
                             person=_person(participant), organisation=participant.organisation, **extra)
    if turn.done:
        flows.pop(item, None)
        participant.state = {**participant.state, "flow": None, "flows": flows}
        return list(turn.steps) + _menu(participant)
    flows[item] = turn.state
    participant.state = {**participant.state, "flows": flows}
    return list(turn.steps)
