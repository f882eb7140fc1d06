"""Demo only: Sceaux connected to a Messenger page (id 100000000000001, token "demo-page-token"), a Telegram bot
(@concerto_sceaux_demo_bot, token "123456:demo-telegram-token", webhook secret "demo-telegram-secret") and an SMS
number (+33700000001, callback key "demo-sms-secret"), so that a sample posted to `make run` is answered (to
CONCERTO_MESSENGER_API_URL, CONCERTO_TELEGRAM_API_URL, CONCERTO_SMS_API_URL). Nothing is asked of the platforms:
the demo works offline. Each channel is connected once; running it again changes nothing.
"""

from concerto.channels.models import ChatChannel, Platform
from concerto.channels.services import chat_channel_connect, transport_channel_connect
from concerto.core.territory.models import Organisation

DEMO_PAGE_ID = "100000000000001"
DEMO_PAGE_TOKEN = "demo-page-token"
DEMO_BOT = "concerto_sceaux_demo_bot"
DEMO_BOT_TOKEN = "123456:demo-telegram-token"
DEMO_TELEGRAM_SECRET = "demo-telegram-secret"
DEMO_SMS_NUMBER = "+33700000001"
DEMO_SMS_SECRET = "demo-sms-secret"


def demo_load() -> int:
    """Connect the demo channels to Sceaux (each once); how many channels it created."""
    sceaux = Organisation.objects.filter(slug="sceaux").first()
    if sceaux is None:
        return 0
    created = 0
    if not ChatChannel.objects.filter(platform=Platform.MESSENGER, external_id=DEMO_PAGE_ID).exists():
        chat_channel_connect(actor=None, organisation=sceaux, platform=Platform.MESSENGER, external_id=DEMO_PAGE_ID,
                             token=DEMO_PAGE_TOKEN)
        created += 1
    for platform, external_id, token, secret in ((Platform.TELEGRAM, DEMO_BOT, DEMO_BOT_TOKEN, DEMO_TELEGRAM_SECRET),
                                                 (Platform.SMS, DEMO_SMS_NUMBER, "", DEMO_SMS_SECRET)):
        if not ChatChannel.objects.filter(platform=platform, external_id=external_id).exists():
            transport_channel_connect(actor=None, organisation=sceaux, platform=platform, external_id=external_id,
                                      token=token, webhook_secret=secret)
            created += 1
    return created
