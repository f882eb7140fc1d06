"""The chat's personal data: listed in the person's export, erased with the account, message texts deleted
after their retention period (CONCERTO_RETENTION_DAYS["chat_messages"], 90 days by default); the platforms that
carry the chats, listed as processors on the privacy page; the person's page of their chats (/compte/discussions/)."""

from django.utils.translation import gettext_lazy as _

from concerto.core.accounts.privacy import AccountPage, PersonalDataProvider, Processor, RetentionRule
from concerto.core.registry import Deferred

BATCH = 2000


def export(user) -> dict:
    from concerto.channels.models import Participant

    participants = list(Participant.objects.filter(user=user).prefetch_related(
        "messages", "subscriptions__topics", "subscriptions__organisation").select_related("organisation"))
    if not participants:
        return {}  # no chat: the file reads as before
    return {"chat_conversations": [
        {"platform": participant.platform,
         "commune": participant.organisation.name if participant.organisation else None,
         "started_at": participant.created_at.isoformat(),
         "linked_at": participant.linked_at.isoformat() if participant.linked_at else None,
         "stopped_at": participant.stopped_at.isoformat() if participant.stopped_at else None,
         "news_subscriptions": [
             {"commune": subscription.organisation.name, "all_topics": subscription.all_topics,
              "topics": [topic.name for topic in subscription.topics.all()],
              "since": subscription.created_at.isoformat(),
              "stopped_at": subscription.stopped_at.isoformat() if subscription.stopped_at else None}
             for subscription in participant.subscriptions.all()],
         "messages": [{"direction": message.direction, "text": message.text, "at": message.created_at.isoformat()}
                      for message in participant.messages.all()]}
        for participant in participants]}


def erase(user) -> dict:
    """The account's chats go, with their messages, tickets and subscriptions (all hang on the participant): a
    person who writes again on that platform starts as someone new."""
    from concerto.channels.models import LinkCode, Participant

    LinkCode.objects.filter(user=user).delete()
    count, _by_model = Participant.objects.filter(user=user).delete()
    return {"chat_rows_deleted": count} if count else {}


def messages_purge(cutoff, *, dry_run: bool = False) -> int:
    from django.db.models import Q

    from concerto.channels.models import ChatTicket, Message

    old = Message.objects.filter(created_at__lt=cutoff)
    # Tickets follow their messages: one closed, or silent, since before the cutoff goes with them.
    tickets = ChatTicket.objects.filter(Q(closed_at__lt=cutoff) | Q(closed_at=None, last_activity_at__lt=cutoff))
    if dry_run:
        return old.count() + tickets.count()
    total = tickets.delete()[0]
    while True:
        ids = list(old.values_list("pk", flat=True)[:BATCH])
        if not ids:
            return total
        total += Message.objects.filter(pk__in=ids).delete()[0]


PROVIDER = PersonalDataProvider(
    name="channels", export=export, erase=erase,
    retention=(RetentionRule(
        "chat_messages", _("Messages written in a chat (Messenger, the web chat) and the answers sent"),
        _("the message"), 90, _("Kept to follow up a conversation; the answers given stay in the results"),
        Deferred("concerto.channels.privacy.messages_purge")),),
    processors=(
        Processor("Meta Platforms Ireland Ltd", "Messenger",
                  _("Your messages to the commune's page and its answers, with your Messenger id for that page"),
                  _("To carry the conversation you start with the commune on Messenger")),
        Processor("Telegram Messenger Inc. / Telegram FZ-LLC", "Telegram",
                  _("Your messages to the commune's bot and its answers, with your Telegram id"),
                  _("To carry the conversation you start with the commune on Telegram")),
        Processor("OVH SAS (OVHcloud)", _("Text messages"),
                  _("Your phone number, your text messages to the commune's number and its answers"),
                  _("To receive and send the text messages of the conversation")),
    ),
    account_pages=(AccountPage(_("My chats"), "channels_account:chats"),),
)
