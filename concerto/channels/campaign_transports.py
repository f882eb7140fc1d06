"""Campaigns by text message and in the chats (issue 18): the two transports this app registers with the kernel's
campaigns (`core/mobilisation/campaigns.transport_register`), and the two notification channels that let people
ask for them on their preferences page (offered for the kind `mobilisation.campaign` only).

- **Who** (`people`): among the accounts that turned the campaigns on for that channel, those with a conversation
  linked to their account (linking.py) on the campaign's commune's own number, page or bot that may be written to
  now, by `broadcasts.reachable_participants` (the broadcasts' rule): on SMS a number that typed the account's link
  code (so it is theirs) and did not answer STOP; in the chats Telegram at any time, Messenger only within 24
  hours of the person's last message. The web chat cannot push (a message waits for the next visit): left out.
- **What**: by SMS, the campaign's text cut so that the whole fits SMS_SEGMENTS concatenated segments (459
  characters in the GSM alphabet, 201 otherwise), then its short link and « STOP au <number> »; in a chat, the
  subject, the text and « Répondez STOP pour ne plus rien recevoir » with a button to the short link. Both go
  through the broadcasts' sender (`broadcasts.steps_send`, recorded in the conversation).
- **When**: text messages only when the broadcasts may send them (8:00-20:30 Paris time, not on Sundays or public
  holidays); otherwise the transport raises the kernel's `TransportDeferred` with the next allowed morning and the
  campaign's batches wait until then. Throttle: `CONCERTO_CAMPAIGN_RATES` ("sms": 2, "chat": 20 a second).
- **Failures**: a person no longer reachable when their turn comes (STOP, window closed) or a message the platform
  did not take at once raises: counted failed, as the broadcasts count them.
"""

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concerto.channels import broadcasts, sms
from concerto.channels.models import ChatChannel, Platform
from concerto.core.mobilisation.campaigns import TransportDeferred, campaign_link_url, transport_register
from concerto.core.participation.notifications import CAMPAIGN, DeliveryChannel, channel_register
from concerto.core.registry import ChatStep

SMS = "sms"
CHAT = "chat"
SMS_SEGMENTS = sms.SEGMENTS
ELLIPSIS = "..."
# The platforms of each transport, the first preferred when a person has several.
PLATFORMS = {SMS: (Platform.SMS,), CHAT: (Platform.TELEGRAM, Platform.MESSENGER)}


class NotSent(Exception):
    """The message could not go to this person (counted failed by the campaign)."""


def _participants(name: str, organisation, now=None):
    rows = broadcasts.reachable_participants(PLATFORMS[name], now).exclude(user=None)
    return rows.filter(channel__organisation=organisation) if organisation is not None else rows


def people_of(name: str):
    """The `people` of transport NAME: the accounts of ACCOUNTS reachable there for ORGANISATION's campaigns."""
    def people(accounts, organisation):
        return accounts.filter(Exists(_participants(name, organisation).filter(user=OuterRef("pk"))))
    return people


def _participant(name: str, campaign, user):
    rows = list(_participants(name, campaign.organisation).filter(user=user).select_related("channel"))
    if not rows:
        raise NotSent(f"no longer reachable on {name}")
    return min(rows, key=lambda row: (PLATFORMS[name].index(row.platform), -row.pk))


def sms_text(campaign, number: str) -> str:
    """The text message of CAMPAIGN sent from NUMBER: its text, cut to fit, its short link and the STOP mention."""
    with translation.override(settings.LANGUAGE_CODE):
        tail = sms.plain(f"\n{campaign_link_url(campaign)}\n{broadcasts.stop_mention(number)}")
    body = sms.plain(campaign.text.strip())
    limit = sms.limit_for(body + tail)
    if len(body) + len(tail) > limit:
        body = body[:limit - len(tail) - len(ELLIPSIS)].rstrip() + ELLIPSIS
    return body + tail


def chat_steps(campaign) -> list[ChatStep]:
    with translation.override(settings.LANGUAGE_CODE):
        text = f"{campaign.subject}\n{campaign.text.strip()}\n{broadcasts.stop_mention('')}"
        return [ChatStep("link", text, url=campaign_link_url(campaign), label=_("Take part"))]


def _send(participant, steps) -> bool:
    if not broadcasts.steps_send(participant, steps):
        raise NotSent(f"{participant.platform} did not take the message")
    return True


def sms_deliver(campaign, user) -> bool:
    now = timezone.now()
    if not broadcasts.sms_allowed(now):
        raise TransportDeferred(broadcasts.sms_next_allowed(now))
    participant = _participant(SMS, campaign, user)
    return _send(participant, [ChatStep("text", sms_text(campaign, broadcasts.sms_number(participant)))])


def chat_deliver(campaign, user) -> bool:
    return _send(_participant(CHAT, campaign, user), chat_steps(campaign))


def _connected(name: str):
    return lambda: ChatChannel.objects.filter(platform__in=PLATFORMS[name], active=True).exists()


def register() -> None:
    """At the app's ready(): the campaign transports, and the preferences that ask for them."""
    transport_register(SMS, gettext_lazy("Text messages"), people_of(SMS), sms_deliver, _connected(SMS))
    transport_register(CHAT, gettext_lazy("Chats (Messenger, Telegram)"), people_of(CHAT), chat_deliver,
                       _connected(CHAT))
    channel_register(DeliveryChannel(SMS, gettext_lazy("By text message, on a number linked to my account"),
                                     opt_in=True, available=_connected(SMS), verbs=(CAMPAIGN,)))
    channel_register(DeliveryChannel(CHAT, gettext_lazy("In my chats linked to my account (Messenger, Telegram)"),
                                     opt_in=True, available=_connected(CHAT), verbs=(CAMPAIGN,)))
