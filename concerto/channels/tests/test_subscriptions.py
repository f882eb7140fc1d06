"""News subscriptions in the chats and broadcasts to subscribers: opt-in and topics through Messenger, a news post
published reaching the matching subscribers only, STOP ending everything, the back-office page with each
platform's rules (Messenger's 24-hour window, SMS hours and STOP mention, the web chat at the next visit)."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from concerto.channels import broadcasts, engine
from concerto.channels.models import Broadcast, ChatChannel, ChatSubscription, Message, Participant, Platform
from concerto.channels.tests import test_messenger, test_sms, test_telegram
from concerto.channels.tests.fakes import FakeBotApi
from concerto.components.news import services as news
from concerto.core.audit.models import AuditEntry
from concerto.core.spaces.models import Topic
from concerto.core.spaces.topics import topics_of
from concerto.testing import ComponentFactory

pytestmark = pytest.mark.django_db
BASE = "/gestion/sceaux/canaux/diffusions/"
ALICE, BOB = "1254477777772919", "1254477777770002"


@pytest.fixture(autouse=True)
def _on_commit(django_capture_on_commit_callbacks):
    test_messenger._capture = django_capture_on_commit_callbacks
    test_telegram._capture = django_capture_on_commit_callbacks
    test_sms._capture = django_capture_on_commit_callbacks


_mids = iter(range(1, 10**6))


def say(payload: str = "", text: str = "", psid: str = ALICE):
    from django.test import Client

    test_messenger.say(Client(), f"m_sub_{next(_mids)}", text=text, payload=payload or None, psid=psid)


def subscribe(psid: str, *slugs: str):
    say(text="Bonjour", psid=psid)
    say("news", psid=psid)
    say("news:yes", psid=psid)
    for slug in slugs:
        say(f"topic:{slug}", psid=psid)
    say("news:done" if slugs else "news:all", psid=psid)


def topic(slug: str) -> Topic:
    return Topic.objects.get(slug=slug)


def texts_to(graph, psid: str) -> list[str]:
    return [text for body, text in zip(graph.sent, graph.texts(), strict=True) if body["recipient"]["id"] == psid]


@pytest.fixture
def news_component(space):
    return ComponentFactory(space=space, kind="news", title="Actualités")


def publish(agent, component, title: str, topics=(), capture=None):
    with capture(execute=True):
        return news.post_create(author=agent, component=component, title=title, body="Texte.", topics=topics,
                                publish=True)


# Topics in the kernel ----------------------------------------------------------------------------------------

def test_the_metropoles_topics_are_seeded_in_order():
    names = list(Topic.objects.values_list("name", flat=True))
    assert names[:3] == ["Mobilité", "Climat et énergie", "Logement"]
    assert "Démocratie locale" in names and len(names) == 15


def test_a_post_has_its_own_topics_or_else_its_spaces(space, news_component, agent):
    space.topics.set([topic("culture")])
    untagged = news.post_create(author=agent, component=news_component, title="Sans thème", body="Texte.")
    tagged = news.post_create(author=agent, component=news_component, title="Vélo", body="Texte.",
                              topics=[topic("mobilite")])
    assert [t.slug for t in topics_of(untagged)] == ["culture"]
    assert [t.slug for t in topics_of(tagged)] == ["mobilite"]
    assert [t.slug for t in topics_of(space)] == ["culture"]


def test_the_metropoles_administrators_edit_the_list_in_the_django_admin(staff_client):
    from concerto import testing

    root = testing.persona("root@metropole.example.org", mfa=True, display_name="Super")
    root.is_staff = root.is_superuser = True
    root.save()
    client = staff_client(root)
    assert "Mobilité" in client.get("/admin/spaces/topic/").content.decode()
    response = client.post("/admin/spaces/topic/add/", {"slug": "numerique", "name": "Numérique",
                                                        "name_en": "Digital", "position": 16})
    assert response.status_code == 302
    assert Topic.objects.get(slug="numerique").label == "Numérique"


def test_agents_tag_a_space_in_its_back_office_form(staff_client, agent, space):
    client = staff_client(agent)
    data = {"title": space.title, "slug": space.slug, "summary": space.summary, "description": space.description,
            "topics": [topic("logement").pk, topic("jeunesse").pk]}
    response = client.post(f"/gestion/sceaux/{space.slug}/modifier/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert {t.slug for t in space.topics.all()} == {"logement", "jeunesse"}
    assert "Logement" in client.get(f"/gestion/sceaux/{space.slug}/").content.decode()


def test_agents_tag_a_news_post_in_its_form_and_subscribers_hear_of_it(graph, page, staff_client, agent,
                                                                      news_component,
                                                                      django_capture_on_commit_callbacks):
    subscribe(ALICE, "sport")
    client = staff_client(agent)
    form = client.get(news_component.get_backoffice_url() + "nouvelle/").content.decode()
    assert "Sport" in form and "Thèmes" in form
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(news_component.get_backoffice_url() + "nouvelle/", {
            "title": "Le gymnase rouvre", "body": "Texte.", "topics": [topic("sport").pk], "action": "publish"})
    assert response.status_code == 302
    post = news_component.news_posts.get()
    assert [t.slug for t in post.topics.all()] == ["sport"]
    assert "Le gymnase rouvre" in texts_to(graph, ALICE)[-1]
    edit = client.post(news_component.get_backoffice_url() + f"{post.pk}/modifier/",
                       {"title": post.title, "body": "Texte.", "topics": []})
    assert edit.status_code == 302 and not post.topics.exists()


# Subscribing in a chat ---------------------------------------------------------------------------------------

def test_a_person_opts_in_then_picks_topics_with_quick_replies(graph, page):
    say(text="Bonjour")
    assert "news" in [reply["payload"] for reply in graph.last_quick_replies()]
    say("news")
    assert "STOP" in graph.texts()[-1] and "actualités de Sceaux" in graph.texts()[-1]
    assert not ChatSubscription.objects.exists()  # nothing before the explicit yes
    say("news:yes")
    payloads = [reply["payload"] for reply in graph.last_quick_replies()]
    assert payloads[0] == "news:all" and "topic:mobilite" in payloads and "news:more" in payloads
    assert len(payloads) <= 11
    say("topic:mobilite")
    say("news:more")
    assert "topic:democratie-locale" in [reply["payload"] for reply in graph.last_quick_replies()]
    say("topic:democratie-locale")
    assert "Mobilité, Démocratie locale" in graph.texts()[-1]
    say("news:done")
    subscription = ChatSubscription.objects.get()
    assert {t.slug for t in subscription.topics.all()} == {"mobilite", "democratie-locale"}
    assert not subscription.all_topics and subscription.stopped_at is None
    assert "Mobilité, Démocratie locale" in graph.texts()[-2]
    # Later: the menu entry shows the topics and lets the person change them.
    say("news")
    assert "Mobilité, Démocratie locale" in graph.texts()[-1]
    say("news:yes")
    say("news:all")
    subscription.refresh_from_db()
    assert subscription.all_topics and not subscription.topics.exists()
    assert AuditEntry.objects.filter(action="channels.subscription_changed").exists()


def test_stop_ends_every_subscription_at_once_and_nothing_more_is_sent(graph, page, montreuil, agent, space,
                                                                        news_component,
                                                                        django_capture_on_commit_callbacks):
    subscribe(ALICE, "culture")
    participant = Participant.objects.get()
    ChatSubscription.objects.create(participant=participant, organisation=montreuil, all_topics=True)
    say(text="Arrêt")
    assert ChatSubscription.objects.filter(stopped_at=None).count() == 0
    assert AuditEntry.objects.filter(action="channels.unsubscribed").count() == 2
    before = len(graph.sent)
    publish(agent, news_component, "Festival", [topic("culture")], django_capture_on_commit_callbacks)
    assert len(graph.sent) == before


def test_the_platforms_opt_out_ends_the_subscriptions(graph, page):
    subscribe(ALICE)
    participant = Participant.objects.get()
    engine.inbound_handle(participant=participant, payload=engine.OPT_OUT, external_id="optout-1")
    assert ChatSubscription.objects.get().stopped_at is not None


# A news post published ---------------------------------------------------------------------------------------

def test_a_published_post_reaches_the_matching_subscribers_only(graph, page, agent, news_component,
                                                                django_capture_on_commit_callbacks):
    subscribe(ALICE, "mobilite")
    subscribe(BOB, "culture")
    post = publish(agent, news_component, "Nouvelles pistes cyclables", [topic("mobilite")],
                   django_capture_on_commit_callbacks)
    alice = texts_to(graph, ALICE)[-1]
    assert "Nouvelles pistes cyclables" in alice and "Sceaux" in alice
    button = graph.sent[[b["recipient"]["id"] for b in graph.sent].index(ALICE, len(graph.sent) - 2)]
    url = button["message"]["attachment"]["payload"]["buttons"][0]["url"]
    assert url.endswith(post.get_absolute_url())
    assert button["messaging_type"] == "UPDATE"
    assert not any("pistes cyclables" in text for text in texts_to(graph, BOB))
    broadcast = Broadcast.objects.get(kind=Broadcast.Kind.NEWS)
    assert broadcast.reached == {"messenger": 1} and broadcast.sent == 1 and broadcast.failed == 0


def test_a_draft_sends_nothing_until_published(graph, page, agent, news_component,
                                               django_capture_on_commit_callbacks):
    subscribe(ALICE)
    before = len(graph.sent)
    with django_capture_on_commit_callbacks(execute=True):
        post = news.post_create(author=agent, component=news_component, title="Brouillon", body="Texte.")
    assert len(graph.sent) == before
    with django_capture_on_commit_callbacks(execute=True):
        news.post_publish(actor=agent, post=post)
    assert "Brouillon" in texts_to(graph, ALICE)[-1]


# Broadcasts from the back-office -----------------------------------------------------------------------------

def test_a_broadcast_reaches_messenger_within_the_window_and_counts_the_others(
        graph, page, staff_client, agent, django_capture_on_commit_callbacks):
    subscribe(ALICE)
    subscribe(BOB, "culture")
    Participant.objects.filter(subscriptions__topics__slug="culture").update(
        last_inbound_at=timezone.now() - timedelta(hours=30))
    client = staff_client(agent)
    assert client.get(BASE).status_code == 200
    response = client.post(BASE + "nouvelle/", {"text": "Conseil municipal ce soir à 19 h.", "action": "preview"})
    page_text = response.content.decode()
    assert response.status_code == 200
    assert "Messenger" in page_text and "24 heures" in page_text
    digest = response.context["preview"]["digest"]
    before = len(graph.sent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(BASE + "nouvelle/", {"text": "Conseil municipal ce soir à 19 h.", "action": "send",
                                                    "previewed": digest})
    assert response.status_code == 302
    new = graph.sent[before:]
    assert [body["recipient"]["id"] for body in new] == [ALICE]
    assert new[0]["messaging_type"] == "UPDATE" and "Conseil municipal" in new[0]["message"]["text"]
    broadcast = Broadcast.objects.get(kind=Broadcast.Kind.MESSAGE)
    assert (broadcast.reached, broadcast.unreachable) == ({"messenger": 1}, {"window": 1})
    assert (broadcast.sent, broadcast.failed) == (1, 0)
    assert AuditEntry.objects.filter(action="channels.broadcast_sent", actor=agent).exists()
    listing = client.get(BASE).content.decode()
    assert "Conseil municipal" in listing


def test_a_broadcast_nobody_can_receive_is_refused_with_the_reason(graph, page, staff_client, agent):
    subscribe(ALICE)
    Participant.objects.update(last_inbound_at=timezone.now() - timedelta(days=3))
    client = staff_client(agent)
    preview = client.post(BASE + "nouvelle/", {"text": "Bonjour à tous", "action": "preview"})
    assert "Nothing can be sent now" in preview.content.decode() or "Rien ne peut" in preview.content.decode()
    response = client.post(BASE + "nouvelle/", {"text": "Bonjour à tous", "action": "send",
                                                "previewed": preview.context["preview"]["digest"]})
    assert response.status_code == 400
    assert "24 heures" in response.content.decode() and "Bonjour à tous" in response.content.decode()
    assert not Broadcast.objects.exists()


def test_a_broadcast_to_topics_reaches_the_matching_and_the_all_topics_subscribers(graph, page):
    subscribe(ALICE, "sport")
    subscribe(BOB, "culture")
    subscribe("1254477777770003")
    reached, unreachable = broadcasts.audience(page.organisation, [topic("sport").pk])
    assert len(reached["messenger"]) == 2 and unreachable == {}


def test_telegram_and_sms_subscribers_sms_with_stop_and_only_in_the_day(
        settings, sceaux, provider, monkeypatch, django_capture_on_commit_callbacks):
    from django.test import Client

    settings.CONCERTO_TELEGRAM_RETRY_SECONDS = 0
    with FakeBotApi() as api:
        settings.CONCERTO_TELEGRAM_API_URL = api.url
        bot = ChatChannel(organisation=sceaux, platform=Platform.TELEGRAM, external_id="concerto_sceaux_bot")
        bot.set_token(test_telegram.TOKEN)
        bot.set_webhook_secret(test_telegram.SECRET)
        bot.save()
        line = ChatChannel(organisation=sceaux, platform=Platform.SMS, external_id="+33700000001")
        line.set_webhook_secret(test_sms.SECRET)
        line.save()
        client = Client()
        for payload in ("news", "news:yes", "news:all"):
            test_telegram.say(client, bot, "Bonjour") if payload == "news" else None
            test_telegram.press(client, bot, payload)
        test_sms.reply(client, line, "Bonjour")
        test_sms.reply(client, line, "ACTUALITES")
        test_sms.reply(client, line, "1")  # « Oui, je m'abonne »
        test_sms.reply(client, line, "1")  # « Tous les thèmes »
        assert ChatSubscription.objects.filter(all_topics=True).count() == 2

        monkeypatch.setattr(broadcasts, "sms_allowed", lambda now=None: True)
        with django_capture_on_commit_callbacks(execute=True):
            from concerto.channels.services import broadcast_send

            broadcast = broadcast_send(actor=None, organisation=sceaux, text="Fête de la ville samedi.")
        assert broadcast.reached == {"sms": 1, "telegram": 1}
        assert api.texts()[-1] == "Fête de la ville samedi."
        assert provider.texts()[-1].startswith("Fête de la ville samedi.")
        assert provider.texts()[-1].endswith("STOP au +33700000001")
        assert Broadcast.objects.get().sent == 2

        monkeypatch.setattr(broadcasts, "sms_allowed", lambda now=None: False)
        reached, unreachable = broadcasts.audience(sceaux)
        assert reached == {"telegram": [reached["telegram"][0]]} and unreachable == {"quiet_hours": 1}


def test_sms_hours_follow_the_french_practice():
    paris = broadcasts.PARIS
    assert broadcasts.sms_allowed(datetime(2026, 12, 7, 10, 0, tzinfo=paris))  # a Monday morning
    assert not broadcasts.sms_allowed(datetime(2026, 12, 7, 21, 0, tzinfo=paris))  # the evening
    assert not broadcasts.sms_allowed(datetime(2026, 12, 6, 10, 0, tzinfo=paris))  # a Sunday
    assert not broadcasts.sms_allowed(datetime(2026, 12, 25, 10, 0, tzinfo=paris))  # Christmas
    assert not broadcasts.sms_allowed(datetime(2026, 4, 6, 10, 0, tzinfo=paris))  # Easter Monday 2026
    assert not broadcasts.sms_allowed(datetime(2026, 5, 14, 10, 0, tzinfo=paris))  # Ascension 2026


def test_a_web_chat_subscriber_reads_the_broadcast_at_the_next_visit(client, sceaux,
                                                                    django_capture_on_commit_callbacks):
    client.get("/canaux/web/?commune=sceaux")
    for payload in ("news", "news:yes", "news:all"):
        client.post("/canaux/web/", {"payload": payload, "nonce": payload})
    assert ChatSubscription.objects.filter(participant__platform=Platform.WEB).exists()
    from concerto.channels.services import broadcast_send

    with django_capture_on_commit_callbacks(execute=True):
        broadcast_send(actor=None, organisation=sceaux, text="La piscine rouvre lundi.")
    assert "La piscine rouvre lundi." in client.get("/canaux/web/").content.decode()
    assert Message.objects.filter(direction=Message.Direction.OUT, text="La piscine rouvre lundi.").exists()


# Permissions and bad input -----------------------------------------------------------------------------------

def test_another_communes_agent_and_a_resident_cannot_broadcast(graph, page, staff_client, outsider, resident):
    subscribe(ALICE)
    for user, refused in ((outsider, (403, 404)), (resident, (302, 403, 404))):  # a resident is sent to 2FA
        client = staff_client(user)
        assert client.get(BASE).status_code in refused
        response = client.post(BASE + "nouvelle/", {"text": "Intrus", "action": "send"})
        assert response.status_code in refused
    assert not Broadcast.objects.exists()
    # Their own commune's page shows none of Sceaux's subscribers.
    own = staff_client(outsider).get("/gestion/montreuil/canaux/diffusions/")
    assert own.status_code == 200 and "0 personne" in own.content.decode()


@pytest.mark.parametrize("data, error", [
    ({"text": "", "action": "preview"}, "Écrivez le message"),
    ({"text": "x" * 700, "action": "preview"}, "trop long"),
    ({"text": "Bonjour", "topics": ["999999"], "action": "preview"}, "tick"),
    ({"text": "Bonjour", "topics": ["abc"], "action": "preview"}, "tick"),
])
def test_bad_input_is_refused_in_french_and_kept(staff_client, agent, data, error):
    response = staff_client(agent).post(BASE + "nouvelle/", data)
    assert response.status_code == 400
    body = response.content.decode()
    assert error in body or error == "tick" and "thèmes" in body
    if data["text"]:
        assert data["text"][:50] in body
    assert not Broadcast.objects.exists()


def test_a_send_without_a_matching_preview_shows_the_preview_again(graph, page, staff_client, agent):
    subscribe(ALICE)
    response = staff_client(agent).post(BASE + "nouvelle/", {"text": "Changé", "action": "send",
                                                              "previewed": "old"})
    assert response.status_code == 200 and response.context["preview"]["total"] == 1
    assert not Broadcast.objects.exists()


def test_a_linked_persons_export_lists_their_subscriptions_and_erasure_deletes_them(client, resident, sceaux):
    from concerto.channels import privacy

    client.force_login(resident)
    client.get("/canaux/web/?commune=sceaux")
    for payload in ("news", "news:yes", "topic:sante", "news:done"):
        client.post("/canaux/web/", {"payload": payload, "nonce": payload})
    [conversation] = privacy.export(resident)["chat_conversations"]
    assert conversation["news_subscriptions"][0]["topics"] == ["Santé"]
    privacy.erase(resident)
    assert not ChatSubscription.objects.exists()


allowed = broadcasts.sms_allowed


def test_text_messages_of_a_broadcast_made_at_night_go_the_next_allowed_morning_once(
        settings, sceaux, provider, monkeypatch, django_capture_on_commit_callbacks):
    from django.test import Client

    from concerto.channels.services import broadcast_send
    from concerto.core import periodic

    line = ChatChannel(organisation=sceaux, platform=Platform.SMS, external_id="+33700000001")
    line.set_webhook_secret(test_sms.SECRET)
    line.save()
    client = Client()
    for text in ("Bonjour", "ACTUALITES", "1", "1"):  # subscribe to every topic
        test_sms.reply(client, line, text)
    before = len(provider.texts())
    paris = broadcasts.PARIS
    clock = [datetime(2026, 12, 12, 22, 0, tzinfo=paris)]  # a Saturday night
    monkeypatch.setattr(broadcasts, "sms_allowed", lambda now=None: allowed(clock[0]))  # the test's clock
    with django_capture_on_commit_callbacks(execute=True):
        broadcast = broadcast_send(actor=None, organisation=sceaux, text="Marché de Noël demain.")
    Broadcast.objects.filter(pk=broadcast.pk).update(created_at=clock[0])
    # Only SMS subscribers and it is night: the broadcast is made, its text messages held.
    assert broadcast.sms_held and broadcast.unreachable == {"quiet_hours": 1} and len(provider.texts()) == before

    job = next(job for job in periodic.jobs() if job.name == "channels.sms_held_send")
    with django_capture_on_commit_callbacks(execute=True):
        clock[0] = datetime(2026, 12, 13, 10, 0, tzinfo=paris)
        assert job.run(clock[0]) == 0  # Sunday: still held
        clock[0] = datetime(2026, 12, 14, 8, 5, tzinfo=paris)
        assert job.run(clock[0]) == 1  # Monday morning: sent
        assert job.run(clock[0]) == 0  # once
    assert len(provider.texts()) == before + 1
    assert provider.texts()[-1].startswith("Marché de Noël demain.") and "STOP" in provider.texts()[-1]
    broadcast.refresh_from_db()
    assert (broadcast.sms_held, broadcast.reached, broadcast.unreachable, broadcast.sent) == (False, {"sms": 1}, {}, 1)

    # Held for longer than HOLD_MAX (the clock was stopped): dropped, not sent days later.
    clock[0] = datetime(2026, 12, 14, 23, 0, tzinfo=paris)
    with django_capture_on_commit_callbacks(execute=True):
        late = broadcast_send(actor=None, organisation=sceaux, text="Vieille nouvelle.")
        assert late.sms_held
        Broadcast.objects.filter(pk=late.pk).update(created_at=clock[0])
        clock[0] += broadcasts.HOLD_MAX + timedelta(hours=11)  # a Saturday morning, 4 days and 11 hours later
        assert job.run(clock[0]) == 0
    late.refresh_from_db()
    assert not late.sms_held and len(provider.texts()) == before + 1
