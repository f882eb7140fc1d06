"""A Sceaux consultation open to anyone, Sceaux connected to a Messenger page, and the fakes of the platforms' APIs
(Graph API, Telegram Bot API, OVHcloud SMS)."""

import pytest

from concerto.channels.models import ChatChannel, Platform
from concerto.channels.testing import FakeGraph
from concerto.channels.tests.fakes import FakeBotApi, FakeOvhSms
from concerto.components.consultations import building
from concerto.components.consultations.models import Question
from concerto.testing import ComponentFactory

PAGE = "100000000000001"
SECRET = "test_app_secret"
Kind = Question.Kind


@pytest.fixture(autouse=True)
def _empty_cache():
    """The commune's menu is cached, and each process keeps the channels its webhooks looked up: each test starts
    without either (a rolled-back channel sends no signal, and on PostgreSQL the next test's channel has another id)."""
    from django.core.cache import cache

    from concerto.channels import transport

    cache.clear()
    transport._channels.clear()
    yield
    cache.clear()


@pytest.fixture
def graph(settings):
    settings.CONCERTO_MESSENGER_APP_SECRET = SECRET
    settings.CONCERTO_MESSENGER_VERIFY_TOKEN = "verify-me"
    settings.CONCERTO_MESSENGER_RETRY_SECONDS = 0
    with FakeGraph() as fake:
        settings.CONCERTO_MESSENGER_API_URL = fake.url
        yield fake


@pytest.fixture
def api(settings):
    """A local fake of the Telegram Bot API, where the Telegram transport sends."""
    settings.CONCERTO_TELEGRAM_RETRY_SECONDS = 0
    with FakeBotApi() as fake:
        settings.CONCERTO_TELEGRAM_API_URL = fake.url
        yield fake


@pytest.fixture
def provider(settings):
    """A local fake of OVHcloud's SMS API, with the platform's OVHcloud account set."""
    settings.CONCERTO_SMS_RETRY_SECONDS = 0
    settings.CONCERTO_SMS_OVH_SERVICE = "sms-ab12345-1"
    settings.CONCERTO_SMS_OVH_APPLICATION_KEY = "app-key"
    settings.CONCERTO_SMS_OVH_APPLICATION_SECRET = "app-secret"
    settings.CONCERTO_SMS_OVH_CONSUMER_KEY = "consumer-key"
    with FakeOvhSms() as fake:
        settings.CONCERTO_SMS_API_URL = fake.url + "/1.0"
        yield fake


@pytest.fixture
def page(sceaux):
    channel = ChatChannel(organisation=sceaux, platform=Platform.MESSENGER, external_id=PAGE)
    channel.set_token("page-token-sceaux")
    channel.save()
    return channel


class Q:
    pass


@pytest.fixture
def chat_consultation(space, step, agent):
    """Anyone may answer: a single choice with an "other", an optional multiple choice, a 1-5 scale, a text."""
    component = ComponentFactory(space=space, kind="consultations", title="Le parc de demain",
                                 settings={"participation": "anonymous", "results_visibility": "public"})
    section = building.section_create(actor=agent, component=component, title="Vous et le parc")
    q = Q()
    q.component = component
    q.transport = building.question_create(actor=agent, section=section, kind=Kind.SINGLE, required=True,
                                           label="Comment venez-vous au parc ?", options=["À pied", "À vélo"],
                                           other_option=True)
    q.activities = building.question_create(actor=agent, section=section, kind=Kind.MULTIPLE,
                                            label="Que faites-vous au parc ?", max_choices=2,
                                            options=["Promenade", "Sport", "Lecture"])
    q.satisfaction = building.question_create(actor=agent, section=section, kind=Kind.SCALE, required=True,
                                              scale=Question.Scale.ONE_TO_FIVE, label="Êtes-vous satisfait ?")
    q.ideas = building.question_create(actor=agent, section=section, kind=Kind.SHORT_TEXT, label="Une idée ?")
    return q


@pytest.fixture
def person(client, django_capture_on_commit_callbacks):
    """Someone writing to the Sceaux page (concerto/channels/tests/chat.py)."""
    from concerto.channels.tests.chat import MessengerChat

    return MessengerChat(client, django_capture_on_commit_callbacks)
