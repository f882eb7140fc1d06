"""Chat channels' write actions."""

import logging
from importlib import import_module
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from concerto.channels.models import ChatChannel, ChatTicket, Message, Participant, Platform
from concerto.core.audit.services import audit_record
from concerto.core.registry import ChatStep

logger = logging.getLogger("concerto.channels")

CHECK_TIMEOUT = (3.05, 5)
REPLY_MAX = 2000


@transaction.atomic
def chat_channel_connect(*, actor, organisation, platform: str, external_id: str, token: str) -> ChatChannel:
    """Connect ORGANISATION's page EXTERNAL_ID on PLATFORM (or give it a new TOKEN, kept encrypted)."""
    channel, created = ChatChannel.objects.get_or_create(
        platform=platform, external_id=external_id, defaults={"organisation": organisation})
    channel.organisation = organisation
    channel.set_token(token)
    channel.active = True
    channel.save()
    audit_record(actor=actor, action="channels.connected", target=channel, organisation=organisation,
                 data={"platform": platform, "page": external_id, "created": created})
    return channel


@transaction.atomic
def transport_channel_connect(*, actor, organisation, platform: str, external_id: str, token: str = "",
                              webhook_secret: str = "") -> tuple[ChatChannel, str]:
    """Telegram or SMS: connect as `chat_channel_connect` does, with a new webhook secret (random when none is
    given) that the webhook checks. Returns the channel and the secret, to hand to the platform once."""
    import secrets as random

    channel = chat_channel_connect(actor=actor, organisation=organisation, platform=platform,
                                   external_id=external_id, token=token)
    webhook_secret = webhook_secret or random.token_urlsafe(32)
    channel.set_webhook_secret(webhook_secret)
    channel.save(update_fields=["webhook_secret_encrypted"])
    return channel, webhook_secret


@transaction.atomic
def chat_channel_update(*, actor, channel: ChatChannel, external_id: str, token: str = "") -> ChatChannel:
    """Change CHANNEL's page id and, when TOKEN is given, replace its token (an empty TOKEN keeps the saved one)."""
    changed = []
    if external_id != channel.external_id:
        channel.external_id = external_id
        changed.append("page")
    if token:
        channel.set_token(token)
        changed.append("token")
    channel.save()
    audit_record(actor=actor, action="channels.updated", target=channel, organisation=channel.organisation,
                 data={"platform": channel.platform, "page": channel.external_id, "changed": changed})
    return channel


@transaction.atomic
def chat_channel_deactivate(*, actor, channel: ChatChannel) -> ChatChannel:
    """Stop CHANNEL: its webhook events are answered 200 and ignored until it is connected again."""
    channel.active = False
    channel.save(update_fields=["active"])
    if channel.platform == Platform.TELEGRAM and channel.token:
        try:  # Telegram stops calling us; the webhook refuses the updates of an inactive channel anyway
            _bot_call(channel.token, "deleteWebhook")
        except PlatformRefused:
            logger.warning("Telegram deleteWebhook failed for channel %s", channel.pk)
    audit_record(actor=actor, action="channels.deactivated", target=channel, organisation=channel.organisation,
                 data={"platform": channel.platform, "page": channel.external_id})
    return channel


def chat_channel_check(*, actor, channel: ChatChannel) -> tuple[bool, str]:
    """Ask the platform whether CHANNEL's token works (a Messenger page writes only to people who wrote first,
    so a test message is not possible; a Telegram bot: getMe and getWebhookInfo): (working, a French sentence
    saying what the platform said)."""
    token = channel.token
    if channel.platform == Platform.TELEGRAM:
        ok, result = _telegram_check(channel)
    elif channel.platform != Platform.MESSENGER:
        return False, _("Send a test message to check this channel.")
    elif not token:
        ok, result = False, _("No token is saved for this page: replace it.")
    else:
        url = f"{settings.CONCERTO_MESSENGER_API_URL.rstrip('/')}/me"
        try:
            answer = requests.get(url, params={"access_token": token, "fields": "id,name"}, timeout=CHECK_TIMEOUT)
        except requests.RequestException:
            ok, result = False, _("Messenger did not answer in time: try again in a few minutes.")
        else:
            data = _json(answer)
            if answer.status_code == 200 and str(data.get("id", "")) == channel.external_id:
                ok, result = True, _("The token works: Messenger recognises the page “%(name)s”.") % {
                    "name": str(data.get("name") or channel.external_id)[:100]}
            elif answer.status_code == 200:
                ok, result = False, _("The token works, but for another page (%(id)s) than the page id saved "
                                      "here.") % {"id": str(data.get("id", "?"))[:64]}
            elif answer.status_code in (400, 401, 403):
                ok, result = False, _("Messenger refused the token (expired or revoked): replace it with a new "
                                      "page access token.")
            else:
                ok, result = False, _("Messenger answered with an error (%(status)s): try again later.") % {
                    "status": answer.status_code}
    audit_record(actor=actor, action="channels.checked", target=channel, organisation=channel.organisation,
                 data={"platform": channel.platform, "page": channel.external_id, "working": ok})
    return ok, result


# Telegram and SMS ------------------------------------------------------------------------------------------

class PlatformRefused(Exception):
    """The platform refused or did not answer; MESSAGE says so in French. Nothing was saved."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _bot_call(token: str, method: str, body: dict | None = None) -> dict:
    """Call the Bot API's METHOD with TOKEN: its `result`, or PlatformRefused with a French sentence."""
    url = f"{settings.CONCERTO_TELEGRAM_API_URL.rstrip('/')}/bot{token}/{method}"
    try:
        answer = requests.post(url, json=body or {}, timeout=CHECK_TIMEOUT)
    except requests.RequestException:
        raise PlatformRefused(_("Telegram did not answer in time: try again in a few minutes.")) from None
    data = _json(answer)
    if answer.status_code in (401, 404):
        raise PlatformRefused(_("Telegram refused the token: copy it again from @BotFather (it looks like "
                                "123456789:AA…)."))
    if answer.status_code != 200 or not data.get("ok"):
        raise PlatformRefused(_("Telegram answered with an error (%(status)s): try again later.")
                              % {"status": answer.status_code})
    return data.get("result") if isinstance(data.get("result"), dict | bool) else {}


def telegram_webhook_url(channel: ChatChannel) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("channels:telegram_webhook", args=[channel.pk])


def sms_callback_url(channel: ChatChannel) -> str:
    """The address to give OVHcloud for received texts, with the channel's secret in `cle`."""
    path = reverse("channels:sms_inbound", args=[channel.pk])
    return f"{settings.SITE_URL.rstrip('/')}{path}?{urlencode({'cle': channel.webhook_secret})}"


def telegram_channel_connect(*, actor, organisation, token: str) -> ChatChannel:
    """Connect ORGANISATION's Telegram bot: check TOKEN (getMe), keep it encrypted with a new secret and register
    our webhook with that secret_token (setWebhook). Any refusal raises PlatformRefused and saves nothing."""
    me = _bot_call(token, "getMe")
    username = str((me or {}).get("username") or "")[:64] if isinstance(me, dict) else ""
    if not username:
        raise PlatformRefused(_("Telegram answered, but this token is not a bot's."))
    taken = ChatChannel.objects.filter(platform=Platform.TELEGRAM, external_id=username).first()
    if taken is not None and taken.organisation_id != organisation.pk:
        raise PlatformRefused(_("This bot is already connected to another organisation."))
    with transaction.atomic():
        channel, secret = transport_channel_connect(actor=actor, organisation=organisation,
                                                    platform=Platform.TELEGRAM, external_id=username, token=token)
        # Inside the transaction: if Telegram refuses the webhook, the channel is not saved half-way.
        _bot_call(token, "setWebhook", {"url": telegram_webhook_url(channel), "secret_token": secret,
                                        "allowed_updates": ["message", "callback_query"]})
    return channel


def sms_channel_connect(*, actor, organisation, number: str) -> ChatChannel:
    """Connect ORGANISATION's SMS number (OVHcloud virtual number, or a sender name for the short number of
    answers) with a new callback secret; the callback URL is then shown to paste in OVHcloud's manager."""
    taken = ChatChannel.objects.filter(platform=Platform.SMS, external_id=number).first()
    if taken is not None and taken.organisation_id != organisation.pk:
        raise PlatformRefused(_("This number is already connected to another organisation."))
    channel, _secret = transport_channel_connect(actor=actor, organisation=organisation, platform=Platform.SMS,
                                                 external_id=number)
    return channel


def sms_account_ready() -> bool:
    """Whether the platform's OVHcloud SMS account (settings, shared by the verification codes) is set."""
    return all([settings.CONCERTO_SMS_OVH_SERVICE, settings.CONCERTO_SMS_OVH_APPLICATION_KEY,
                settings.CONCERTO_SMS_OVH_APPLICATION_SECRET, settings.CONCERTO_SMS_OVH_CONSUMER_KEY])


def _telegram_check(channel: ChatChannel) -> tuple[bool, str]:
    """getMe and getWebhookInfo: the token works for this bot, and Telegram calls our webhook."""
    token = channel.token
    if not token:
        return False, _("No token is saved for this bot: connect it again.")
    try:
        me = _bot_call(token, "getMe")
        info = _bot_call(token, "getWebhookInfo")
    except PlatformRefused as refused:
        return False, refused.message
    username = str((me or {}).get("username") or "?")[:64]
    if username != channel.external_id:
        return False, _("The token works, but for another bot (@%(name)s) than the one saved here.") % {
            "name": username}
    if not isinstance(info, dict) or info.get("url") != telegram_webhook_url(channel):
        return False, _("The token works for @%(name)s, but Telegram does not send its messages here: connect "
                        "the bot again.") % {"name": username}
    if info.get("last_error_message"):
        return False, _("Telegram sends the messages of @%(name)s here but reported an error: %(error)s") % {
            "name": username, "error": str(info["last_error_message"])[:200]}
    pending = int(info.get("pending_update_count") or 0)
    return True, _("The bot @%(name)s works and Telegram sends its messages here (%(pending)s waiting).") % {
        "name": username, "pending": pending}


def channel_test_send(*, actor, channel: ChatChannel, address: str) -> None:
    """Send a test message to ADDRESS (a Telegram chat id, a phone number) through the worker; its outcome is
    recorded as the channel's last test (audit `channels.tested`) and shown on the channel's page."""
    audit_record(actor=actor, action="channels.test_queued", target=channel, organisation=channel.organisation,
                 data={"platform": channel.platform})
    transaction.on_commit(lambda: channel_test_deliver.enqueue(channel.pk, address))


@task()
def channel_test_deliver(channel_id: int, address: str) -> bool:
    """The worker's side of « Tester »: one try (a test says what happened, it does not insist), its outcome
    recorded as `channels.tested`."""
    channel = ChatChannel.objects.filter(pk=channel_id).select_related("organisation").first()
    if channel is None:
        return False
    text = _("Test message from %(name)s: this channel works.") % {"name": channel.organisation.name}
    try:
        if channel.platform == Platform.TELEGRAM:
            url = f"{settings.CONCERTO_TELEGRAM_API_URL.rstrip('/')}/bot{channel.token}/sendMessage"
            answer = requests.post(url, json={"chat_id": address, "text": text}, timeout=CHECK_TIMEOUT)
        else:
            from concerto.core.sms import OvhSmsBackend

            number = channel.external_id
            answer = OvhSmsBackend().post(phone=address, message=text, sender=number if number.startswith("+") else "")
    except requests.RequestException:
        ok, result = False, _("The platform did not answer in time: try again in a few minutes.")
    else:
        data = _json(answer)
        if answer.status_code == 200 and (channel.platform == Platform.SMS or data.get("ok")):
            invalid = data.get("invalidReceivers") or []
            ok = not invalid
            result = (_("The test message was sent.") if ok else
                      _("The provider refused the number: check it and try again."))
        elif answer.status_code in (400, 403) and channel.platform == Platform.TELEGRAM:
            ok, result = False, _("Telegram cannot write to this chat: the person must first write to the bot "
                                  "(/start), and the chat id must be theirs.")
        elif answer.status_code in (401, 403, 404):
            ok, result = False, _("The platform refused our credentials (%(status)s): connect the channel "
                                  "again.") % {"status": answer.status_code}
        else:
            ok, result = False, _("The platform answered with an error (%(status)s): try again later.") % {
                "status": answer.status_code}
    audit_record(actor=None, action="channels.tested", target=channel, organisation=channel.organisation,
                 data={"platform": channel.platform, "working": ok, "result": str(result)})
    return ok


def channel_test_result(channel: ChatChannel):
    """The last test message's outcome (an AuditEntry with data working/result), or None."""
    from concerto.core.audit.models import AuditEntry

    return (AuditEntry.objects.filter(action="channels.tested", target_type=_content_type(channel),
                                      target_id=str(channel.pk)).order_by("-pk").first())


def _content_type(channel):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(channel)


def _json(answer) -> dict:
    try:
        data = answer.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


# Talking to an agent ---------------------------------------------------------------------------------------

def chat_ticket_open(*, participant: Participant) -> tuple[ChatTicket, bool]:
    """PARTICIPANT asked to talk to an agent of their commune: their open ticket, or a new one (True)."""
    ticket = ChatTicket.objects.filter(participant=participant, closed_at=None).first()
    if ticket is not None:
        return ticket, False
    ticket = ChatTicket.objects.create(participant=participant, organisation=participant.organisation)
    audit_record(actor=participant.user, action="channels.ticket_opened", target=ticket,
                 organisation=participant.organisation, data={"platform": participant.platform})
    return ticket, True


def _reply_queue(participant: Participant, text: str) -> None:
    """Send TEXT to PARTICIPANT the way the engine's answers go: each transport module
    (concerto/channels/<platform>.py) turns steps into its messages (`messages_for`) and its worker task
    (`<platform>_send`) sends them. The web chat has no sender: the reply shows at the next page load."""
    if participant.platform == Platform.WEB:
        return
    module = import_module(f"concerto.channels.{participant.platform}")
    messages = module.messages_for([ChatStep("text", text)])
    send = getattr(module, f"{participant.platform}_send")
    transaction.on_commit(lambda: send.enqueue(participant.pk, messages))


class ReplyRefused(Exception):
    """The answer cannot reach the person; MESSAGE says why, in French."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _reply_refusal(participant: Participant) -> str:
    if participant.stopped_at is not None:
        return _("The person wrote STOP: they receive no more messages from the commune.")
    if participant.platform == Platform.MESSENGER:
        from concerto.channels.messenger import WINDOW

        if participant.last_inbound_at is None or timezone.now() - participant.last_inbound_at > WINDOW:
            return _("Messenger lets a page answer only within 24 hours of the person's last message: the person "
                     "has to write again first.")
    return ""


@transaction.atomic
def chat_ticket_reply(*, actor, ticket: ChatTicket, text: str) -> Message:
    """An agent's answer to the person of TICKET, sent through their own platform."""
    text = text.replace("\x00", "").strip()[:REPLY_MAX]
    if not text:
        raise ValueError("empty reply")
    ticket = ChatTicket.objects.select_for_update().select_related("participant").get(pk=ticket.pk)
    if not ticket.is_open:
        raise ReplyRefused(_("This conversation is closed: the answer was not sent."))
    refusal = _reply_refusal(ticket.participant)
    if refusal:
        raise ReplyRefused(refusal)
    message = Message.objects.create(participant=ticket.participant, direction=Message.Direction.OUT, text=text)
    ticket.last_activity_at = timezone.now()
    ticket.save(update_fields=["last_activity_at"])
    _reply_queue(ticket.participant, text)
    audit_record(actor=actor, action="channels.ticket_replied", target=ticket, organisation=ticket.organisation,
                 data={"platform": ticket.participant.platform})
    return message


@transaction.atomic
def chat_ticket_close(*, actor, ticket: ChatTicket) -> ChatTicket:
    """Close TICKET: the person is back with the assistant, and agents no longer read their messages."""
    if ticket.closed_at is None:
        ticket.closed_at = timezone.now()
        ticket.closed_by = actor
        ticket.save(update_fields=["closed_at", "closed_by"])
        audit_record(actor=actor, action="channels.ticket_closed", target=ticket, organisation=ticket.organisation,
                     data={"platform": ticket.participant.platform})
    return ticket


# News subscriptions and broadcasts (concerto/channels/subscriptions.py, broadcasts.py) --------------------------

@transaction.atomic
def chat_subscription_save(*, participant: Participant, organisation, topics=(), all_topics: bool = False):
    """PARTICIPANT opted in to the news of ORGANISATION, on every topic (ALL_TOPICS) or on TOPICS; asked again,
    it changes the topics (and starts again a subscription they had stopped)."""
    from concerto.channels.models import ChatSubscription

    subscription, created = ChatSubscription.objects.get_or_create(participant=participant,
                                                                   organisation=organisation)
    subscription.all_topics = all_topics
    subscription.stopped_at = None
    subscription.save()
    subscription.topics.set([] if all_topics else topics)
    audit_record(actor=participant.user, action="channels.subscribed" if created else "channels.subscription_changed",
                 target=subscription, organisation=organisation,
                 data={"platform": participant.platform, "all_topics": all_topics,
                       "topics": sorted(topic.slug for topic in topics) if not all_topics else []})
    return subscription


def chat_subscriptions_stop(*, participant: Participant) -> int:
    """End every news subscription of PARTICIPANT at once (STOP, the platform's opt-out, or « Ne plus recevoir
    les actualités »). Returns how many were live."""
    from concerto.channels.models import ChatSubscription

    live = list(ChatSubscription.objects.filter(participant=participant, stopped_at=None)
                .select_related("organisation"))
    ChatSubscription.objects.filter(pk__in=[row.pk for row in live]).update(stopped_at=timezone.now())
    for subscription in live:
        audit_record(actor=participant.user, action="channels.unsubscribed", target=subscription,
                     organisation=subscription.organisation, data={"platform": participant.platform})
    return len(live)


class BroadcastRefused(Exception):
    """Nothing of the broadcast can be sent now; MESSAGE says why, in French."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


BROADCAST_MAX = 640


@transaction.atomic
def broadcast_send(*, actor, organisation, text: str, topics=()):
    """Send TEXT to the news subscribers of ORGANISATION (those of TOPICS, or all when none is given) who can be
    reached now under each platform's rules; the worker sends it in batches after the commit. Refused
    (BroadcastRefused) when nobody can be reached. Returns the Broadcast with its counts."""
    from concerto.channels import broadcasts
    from concerto.channels.models import Broadcast

    text = text.replace("\x00", "").strip()
    if not text or len(text) > BROADCAST_MAX:
        raise ValueError("empty or too long broadcast")
    topic_ids = [topic.pk for topic in topics]
    reached, unreachable = broadcasts.audience(organisation, topic_ids)
    held = "quiet_hours" in unreachable  # text messages wait for the morning: the broadcast is made
    if not reached and not held:
        if not unreachable:
            raise BroadcastRefused(_("Nobody is subscribed to these topics in a chat yet: nothing was sent."))
        raise BroadcastRefused(_("No subscriber can be reached now: %(reasons)s. Nothing was sent.") % {
            "reasons": "; ".join(str(broadcasts.REASONS[reason]) for reason in unreachable)})
    broadcast = Broadcast.objects.create(
        organisation=organisation, author=actor, text=text, kind=Broadcast.Kind.MESSAGE,
        reached={platform: len(ids) for platform, ids in reached.items()}, unreachable=unreachable, sms_held=held)
    broadcast.topics.set(topic_ids)
    audit_record(actor=actor, action="channels.broadcast_sent", target=broadcast, organisation=organisation,
                 data={"reached": broadcast.reached, "unreachable": unreachable,
                       "topics": sorted(topic.slug for topic in topics)})
    broadcasts.batches_queue(broadcast, reached)
    return broadcast
