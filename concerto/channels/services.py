"""Chat channels' write actions."""

from django.db import transaction

from concerto.channels.models import ChatChannel
from concerto.core.audit.services import audit_record


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
