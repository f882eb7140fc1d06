"""Linking a chat to a Concerto account with a one-time code, so that what the person does in the chat is theirs.

The code goes from the site to the chat: the signed-in person asks for one on their account page
(/compte/discussions/), then, in the chat, picks « Lier mon compte » and types it. The site is where the person
is known (signed in, maybe verified); the chat only proves it holds the code. The other way (a code shown in the
chat, typed on the site) would let anyone who talks a person into typing a chat's code on their own account page
act in the chat under that person's name; this way, a code typed in the wrong chat gives nobody the account.

A code is 8 random digits (shown « 1234 5678 », spaces and dashes ignored when typed), valid CODE_MINUTES, used
once, and kept only as its HMAC (channels/secrets.lookup_hash). Wrong codes are limited per chat by the kernel's
rate limit ("chat_link_attempt": 5 in 15 minutes); asking for codes, per account ("chat_link_code"). The web chat
does not take codes: a person signed in on the site is linked there already (web.py), and web chat sessions cost
nothing to make, so they could try codes without end.

On linking, what the chat recorded under its anonymous key (`chat:<platform>:<id>`) becomes the account's through
each component's `anonymous_claim` hook (the consultations' responses, and their ledger rows); supports and other
account-only actions are accepted from then on, under the account's verification.
"""

import secrets as random
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from concerto.channels import secrets
from concerto.channels.models import LinkCode, Participant, Platform
from concerto.core import ratelimit, registry
from concerto.core.audit.services import audit_record
from concerto.core.participation.notifications import absolute_url
from concerto.core.registry import ChatStep

CODE_DIGITS = 8
CODE_MINUTES = 10
LINK_WORDS = {"LIER", "LIER MON COMPTE", "LINK"}
UNLINK_WORDS = {"DELIER", "DELIER MON COMPTE", "UNLINK"}
MENU_WORDS = {"MENU", "ACCUEIL"}


class LinkRefused(Exception):
    """The code cannot link the chat; MESSAGE says why, in French."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _hash(code: str) -> str:
    return secrets.lookup_hash("link-code", code)


def _digits(text: str) -> str:
    return "".join(ch for ch in (text or "") if not ch.isspace() and ch not in "-.")


def code_display(code: str) -> str:
    return f"{code[:4]} {code[4:]}"


@ratelimit.send_limited("chat_link_code")
@transaction.atomic
def link_code_create(*, user) -> tuple[str, LinkCode]:
    """A new one-time code for USER (their codes not yet used stop working): (the code in clear, to show once,
    and its row)."""
    now = timezone.now()
    LinkCode.objects.filter(user=user).delete()
    LinkCode.objects.filter(expires_at__lt=now).delete()  # nobody's expired codes stay
    while True:
        code = f"{random.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
        try:
            with transaction.atomic():
                row = LinkCode.objects.create(user=user, code_hash=_hash(code),
                                              expires_at=now + timedelta(minutes=CODE_MINUTES))
        except IntegrityError:  # another person's live code: draw again
            continue
        audit_record(actor=user, action="channels.link_code_created", data={"minutes": CODE_MINUTES})
        return code, row


@transaction.atomic
def chat_link(*, participant: Participant, code: str):
    """Link PARTICIPANT's chat to the account whose live code is CODE; returns the account. Raises LinkRefused
    (a wrong or expired code, too many tries, a chat linked already)."""
    if participant.platform == Platform.WEB:
        raise LinkRefused(_("In the web chat, sign in on the site: the chat is then linked to your account."))
    if participant.user_id is not None:
        raise LinkRefused(_("This chat is already linked to an account. Write DÉLIER to unlink it first."))
    sender = f"chat:{participant.pk}"
    limited = getattr(settings, "CONCERTO_RATE_LIMITS_ENABLED", True)
    if limited and not ratelimit.reserve("chat_link_attempt", sender):
        raise LinkRefused(_("Too many wrong codes: wait 15 minutes, then ask for a new code on your account page."))
    digits = _digits(code)
    row = None
    if len(digits) == CODE_DIGITS and digits.isdigit():
        row = LinkCode.objects.select_for_update().filter(code_hash=_hash(digits)).select_related("user").first()
    if row is None:
        raise LinkRefused(_("This code is not right. Check it on your account page, “My chats”, and type it again."))
    user = row.user
    row.delete()  # used once, even when it had expired
    if row.expires_at < timezone.now():
        raise LinkRefused(_("This code has expired (it is valid for %(minutes)s minutes). Ask for a new one on your "
                            "account page.") % {"minutes": CODE_MINUTES})
    if limited:
        ratelimit.release("chat_link_attempt", sender)  # a right code is not a wrong try
    participant_link(participant=participant, user=user)
    return user


@transaction.atomic
def participant_link(*, participant: Participant, user) -> int:
    """PARTICIPANT's chat becomes USER's, with what it recorded anonymously (the components' `anonymous_claim`).
    Returns how many contributions became USER's."""
    participant.user = user
    participant.linked_at = timezone.now()
    participant.save(update_fields=["user", "linked_at"])
    claimed = 0
    for manifest in registry.components():
        if manifest.anonymous_claim is not None:
            claimed += manifest.anonymous_claim(key=participant.anonymous_key, user=user)
    audit_record(actor=user, action="channels.linked", target=participant, organisation=participant.organisation,
                 data={"platform": participant.platform, "contributions": claimed})
    return claimed


@transaction.atomic
def chat_unlink(*, actor, participant: Participant) -> Participant:
    """PARTICIPANT's chat is no longer linked to its account (ACTOR: the account's owner, from their page or
    the chat). What was done while linked stays the account's."""
    user = participant.user
    if user is None:
        return participant
    participant.user = None
    participant.linked_at = None
    participant.save(update_fields=["user", "linked_at"])
    audit_record(actor=actor or user, action="channels.unlinked", target=participant,
                 organisation=participant.organisation, data={"platform": participant.platform})
    return participant


# In the chat ------------------------------------------------------------------------------------------------

def chat_answer(participant: Participant, word: str, text: str, payload: str) -> list[ChatStep] | None:
    """The engine's hand-over: the steps when the message is about linking (asked, a code typed when asked,
    unlinking), else None. The engine saves PARTICIPANT's state."""
    state = participant.state or {}
    if payload == "menu" or word in MENU_WORDS:
        if state.get("linking"):
            participant.state = {**state, "linking": False}
        return None
    if payload == "unlink" or word in UNLINK_WORDS:
        return _unlink_asked(participant)
    if payload == "link" or word in LINK_WORDS:
        return _link_asked(participant)
    if not state.get("linking"):
        return None
    if payload:  # a choice tapped instead of a code: the person moved on
        participant.state = {**state, "linking": False}
        return None
    try:
        user = chat_link(participant=participant, code=text)
    except LinkRefused as refused:
        return [ChatStep("question", refused.message, ((_("Menu"), "menu"),))]
    participant.state = {**participant.state, "linking": False}
    name = getattr(user, "display_name", "") or _("your account")
    return [ChatStep("question", _("Done: this chat is linked to %(name)s. What you answered here is now yours, and "
                                   "you can support proposals. Write DÉLIER to unlink it.") % {"name": name},
                     ((_("Menu"), "menu"),))]


def _link_asked(participant: Participant) -> list[ChatStep]:
    if participant.platform == Platform.WEB:
        return [ChatStep("link", _("In the web chat, sign in on the site: the chat is then linked to your account."),
                         url=absolute_url(reverse("account_login")), label=_("Sign in"))]
    if participant.user_id is not None:
        return [ChatStep("question", _("This chat is already linked to an account. Write DÉLIER to unlink it."),
                         ((_("Menu"), "menu"),))]
    participant.state = {**(participant.state or {}), "linking": True}
    return [ChatStep("link", _("Sign in on the site and open “My chats” in your account: it shows a code of 8 "
                               "digits, valid %(minutes)s minutes. Then type the code here.")
                     % {"minutes": CODE_MINUTES}, url=absolute_url(reverse("channels_account:chats")),
                     label=_("My chats"))]


def _unlink_asked(participant: Participant) -> list[ChatStep]:
    if participant.user_id is None:
        return [ChatStep("question", _("This chat is not linked to an account."), ((_("Menu"), "menu"),))]
    chat_unlink(actor=participant.user, participant=participant)
    return [ChatStep("question", _("This chat is no longer linked to your account. What you did while it was "
                                   "linked stays yours."), ((_("Menu"), "menu"),))]
