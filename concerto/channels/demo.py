"""Demo only: Sceaux connected to a Messenger page (id 100000000000001, token "demo-page-token"), so that a
sample event signed with the demo app secret and posted to `make run` is answered (to CONCERTO_MESSENGER_API_URL).
"""

from concerto.channels.models import ChatChannel, Platform
from concerto.channels.services import chat_channel_connect
from concerto.core.territory.models import Organisation

DEMO_PAGE_ID = "100000000000001"
DEMO_PAGE_TOKEN = "demo-page-token"


def demo_load() -> int:
    """Connect the demo page to Sceaux (once); how many channels it created."""
    sceaux = Organisation.objects.filter(slug="sceaux").first()
    if sceaux is None or ChatChannel.objects.filter(platform=Platform.MESSENGER, external_id=DEMO_PAGE_ID).exists():
        return 0
    chat_channel_connect(actor=None, organisation=sceaux, platform=Platform.MESSENGER, external_id=DEMO_PAGE_ID,
                         token=DEMO_PAGE_TOKEN)
    return 1
