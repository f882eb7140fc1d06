"""Campaigns by text message and in the chats (issue 18), through the local fakes of OVHcloud's SMS API, the
Telegram Bot API and the Graph API: only people who asked for them on that channel and can be reached there now,
the STOP mention and the short link, the SMS hours (deferred, then sent), failures counted, the preferences page."""

from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from concerto import testing
from concerto.channels import broadcasts, campaign_transports, linking
from concerto.channels.models import ChatChannel, Message, Participant, Platform
from concerto.channels.tests import test_messenger, test_sms, test_telegram
from concerto.channels.tests.test_sms import line  # noqa: F401 (fixture)
from concerto.channels.tests.test_telegram import bot  # noqa: F401 (fixture)
from concerto.core.mobilisation import campaigns
from concerto.core.mobilisation.models import Campaign, CampaignDelivery
from concerto.core.participation.models import NotificationPreference
from concerto.core.participation.notifications import CAMPAIGN, notification_preferences

pytestmark = pytest.mark.django_db
PARIS = broadcasts.PARIS
MONDAY_10 = datetime(2026, 12, 7, 10, 0, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def _on_commit(django_capture_on_commit_callbacks):
    test_messenger._capture = django_capture_on_commit_callbacks
    test_telegram._capture = django_capture_on_commit_callbacks
    test_sms._capture = django_capture_on_commit_callbacks


@pytest.fixture
def at(monkeypatch):
    """Set the clock (every `timezone.now()`: the campaigns', the broadcasts' rules, the rows' dates)."""
    def set_clock(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)
    set_clock(MONDAY_10)
    return set_clock


def _person(name, sceaux, *channels):
    person = testing.UserFactory(email=f"{name}@example.org", residence=sceaux)
    for channel in channels:
        campaigns.campaign_optin(user=person, channel=channel)
    return person


def _texter(channel, sender, user):
    """SENDER wrote to the commune's number and typed USER's link code (the number is theirs)."""
    test_sms.receive(Client(), channel, "Bonjour", sender=sender)
    participant = Participant.objects.filter(platform=Platform.SMS, user=None).order_by("-pk").first()
    linking.participant_link(participant=participant, user=user)
    return participant


def _draft(agent, sceaux, channel, text="Il reste une semaine pour voter au budget participatif de Sceaux."):
    return campaigns.campaign_save(actor=agent, organisation=sceaux, channel=channel, subject="Budget participatif",
                                   text=text, target="/sceaux/", segment={})


def _send(agent, campaign, capture):
    with capture(execute=True):
        return campaigns.campaign_send(actor=agent, campaign=campaign)


@pytest.fixture
def texters(sceaux, line, at):  # noqa: F811
    """Anna asked for SMS and linked her number; Bruno linked his but never asked; Chloé asked, then wrote STOP;
    Dan asked for email only and linked his number."""
    anna, bruno = _person("anna", sceaux, "sms"), _person("bruno", sceaux)
    chloe, dan = _person("chloe", sceaux, "sms"), _person("dan", sceaux, "email")
    _texter(line, "0611111111", anna)
    _texter(line, "0622222222", bruno)
    _texter(line, "0633333333", chloe)
    test_sms.receive(Client(), line, "STOP", sender="0633333333")
    _texter(line, "0644444444", dan)
    return {"anna": anna, "bruno": bruno, "chloe": chloe, "dan": dan}


def test_an_sms_campaign_reaches_only_who_asked_with_the_link_and_stop(
        agent, sceaux, provider, texters, django_capture_on_commit_callbacks):
    campaign = _draft(agent, sceaux, "sms")
    assert list(campaigns.campaign_people(campaign)) == [texters["anna"]]
    reach = campaigns.campaign_reach(campaign)
    assert reach["total"] == 1 and "(SMS)" in reach["basis"][0]
    provider.calls.clear()
    assert _send(agent, campaign, django_capture_on_commit_callbacks) == 1
    [(_path, body, _headers)] = provider.calls
    assert body["receivers"] == ["+33611111111"]
    campaign.refresh_from_db()
    assert body["message"] == ("Il reste une semaine pour voter au budget participatif de Sceaux.\n"
                               f"{campaigns.campaign_link_url(campaign)}\nSTOP au +33700000001")
    assert campaigns.campaign_figures(campaign)["sent"] == 1 and campaign.status == Campaign.Status.SENT
    assert Message.objects.filter(participant__user=texters["anna"], direction="out",
                                  text__startswith="Il reste").exists()


def test_a_long_text_is_cut_to_three_segments_keeping_the_link_and_stop(agent, sceaux, provider, texters,
                                                                        django_capture_on_commit_callbacks):
    campaign = _draft(agent, sceaux, "sms", text="Votez pour les projets de votre quartier. " * 30)
    provider.calls.clear()
    _send(agent, campaign, django_capture_on_commit_callbacks)
    [message] = provider.texts()
    assert len(message) <= 3 * 153 and message.endswith("STOP au +33700000001")
    assert "...\nhttp" in message
    campaign = _draft(agent, sceaux, "sms", text="Château, forêt et fête : " * 30)  # beyond GSM: 67 a segment
    provider.calls.clear()
    _send(agent, campaign, django_capture_on_commit_callbacks)
    [message] = provider.texts()
    assert len(message) <= 3 * 67 and message.endswith("STOP au +33700000001")


def test_outside_the_sms_hours_the_campaign_waits_then_goes_at_eight(
        agent, sceaux, provider, texters, at, monkeypatch, django_capture_on_commit_callbacks):
    queued = []
    monkeypatch.setattr(campaigns, "_next_batch", lambda campaign_id, not_before: queued.append(not_before))
    at(datetime(2026, 12, 5, 21, 0, tzinfo=PARIS))  # a Saturday evening: next allowed, Monday 8:00
    campaign = _draft(agent, sceaux, "sms")
    provider.calls.clear()
    _send(agent, campaign, django_capture_on_commit_callbacks)
    monday_8 = datetime(2026, 12, 7, 8, 0, tzinfo=PARIS)
    assert provider.calls == [] and queued == [monday_8]
    delivery = CampaignDelivery.objects.get(campaign=campaign)
    assert delivery.sent_at is None and not delivery.failed  # not dropped, not claimed
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENDING and campaign.last_batch_at == monday_8
    at(datetime(2026, 12, 6, 12, 0, tzinfo=PARIS))  # Sunday noon: the periodic job leaves it waiting
    assert campaigns.campaigns_due(timezone.now()) == 0
    at(datetime(2026, 12, 7, 8, 15, tzinfo=PARIS))  # Monday: the batch runs (here, queued by the periodic job)
    campaigns.campaigns_due(timezone.now())
    assert len(provider.texts()) == 1 and provider.texts()[0].endswith("STOP au +33700000001")
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENT and campaigns.campaign_figures(campaign)["sent"] == 1


def test_next_allowed_sms_moment():
    assert broadcasts.sms_next_allowed(MONDAY_10) == MONDAY_10
    assert broadcasts.sms_next_allowed(datetime(2026, 12, 7, 6, 0, tzinfo=PARIS)) == datetime(
        2026, 12, 7, 8, 0, tzinfo=PARIS)
    assert broadcasts.sms_next_allowed(datetime(2026, 12, 24, 21, 0, tzinfo=PARIS)) == datetime(
        2026, 12, 26, 8, 0, tzinfo=PARIS)  # not on Christmas day


def test_a_refused_message_is_counted_failed(agent, sceaux, provider, texters, django_capture_on_commit_callbacks):
    campaign = _draft(agent, sceaux, "sms")
    provider.refuse = True  # the provider answers 403
    _send(agent, campaign, django_capture_on_commit_callbacks)
    campaign.refresh_from_db()
    figures = campaigns.campaign_figures(campaign)
    assert figures["failed"] == 1 and figures["sent"] == 0 and campaign.status == Campaign.Status.SENT


def test_a_person_who_wrote_stop_after_the_count_is_counted_failed_and_gets_nothing(
        agent, sceaux, line, provider, texters, django_capture_on_commit_callbacks):  # noqa: F811
    campaign = _draft(agent, sceaux, "sms")
    with django_capture_on_commit_callbacks(execute=False):  # the first batch waits for the worker
        assert campaigns.campaign_send(actor=agent, campaign=campaign) == 1
    test_sms.receive(Client(), line, "STOP", sender="0611111111")
    provider.calls.clear()
    campaigns.campaign_batch.call(campaign.pk)
    assert provider.calls == [] and campaigns.campaign_figures(campaign)["failed"] == 1


def test_the_chat_campaign_reaches_telegram_and_messenger_within_24_hours_only(
        agent, sceaux, api, graph, page, bot, at, django_capture_on_commit_callbacks):  # noqa: F811
    tina, mia, max_ = (_person(name, sceaux, "chat") for name in ("tina", "mia", "max"))
    test_telegram.say(Client(), bot, "Bonjour")
    linking.participant_link(participant=Participant.objects.get(platform=Platform.TELEGRAM), user=tina)
    at(MONDAY_10 - timedelta(hours=30))
    test_messenger.say(Client(), "m_max_1", text="Bonjour", psid="1254477777770003")  # silent for 30 hours
    at(MONDAY_10 - timedelta(hours=2))
    test_messenger.say(Client(), "m_mia_1", text="Bonjour", psid="1254477777770002")
    at(MONDAY_10)
    for psid, person in (("1254477777770002", mia), ("1254477777770003", max_)):
        participant = next(row for row in Participant.objects.filter(platform=Platform.MESSENGER)
                           if row.address == psid)
        linking.participant_link(participant=participant, user=person)
    campaign = _draft(agent, sceaux, "chat")
    assert set(campaigns.campaign_people(campaign)) == {tina, mia}  # Max: outside Messenger's window
    api.calls.clear()
    graph.sent.clear()
    assert _send(agent, campaign, django_capture_on_commit_callbacks) == 2
    assert api.texts()[-1].startswith("Budget participatif\nIl reste une semaine")
    assert "Répondez STOP pour ne plus rien recevoir" in api.texts()[-1]
    [body] = graph.sent
    assert body["recipient"]["id"] == "1254477777770002" and body["messaging_type"] == "UPDATE"
    button = body["message"]["attachment"]["payload"]["buttons"][0]
    campaign.refresh_from_db()
    assert button["url"] == campaigns.campaign_link_url(campaign)


def test_the_sql_rule_agrees_with_the_broadcasts_rule(sceaux, graph, page, at):
    for hours, psid in ((2, "1254477777770002"), (30, "1254477777770003")):
        at(MONDAY_10 - timedelta(hours=hours))
        test_messenger.say(Client(), f"m_rule_{hours}", text="Bonjour", psid=psid)
    at(MONDAY_10)
    reachable = set(broadcasts.reachable_participants(list(Platform)).values_list("pk", flat=True))
    everyone = Participant.objects.select_related("channel")
    assert reachable == {row.pk for row in everyone if not broadcasts.unreachable_reason(row)}
    assert len(reachable) == 1


def test_the_preferences_page_offers_sms_and_chat_for_campaigns_only(client, resident, line, bot):  # noqa: F811
    choices = {kind.verb: channels for kind, channels in notification_preferences(resident)}
    assert {"email", "sms", "chat"} <= set(choices[CAMPAIGN])
    assert not any({"sms", "chat"} & set(channels) for verb, channels in choices.items() if verb != CAMPAIGN)
    client.force_login(resident)
    url = reverse("accounts:notification_settings")
    html = client.get(url).content.decode()
    assert f'value="{CAMPAIGN} sms"' in html and f'value="{CAMPAIGN} chat"' in html
    assert "Par SMS, sur un numéro lié à mon compte" in html
    client.post(url, {"wanted": [f"{CAMPAIGN} sms"]})
    assert campaigns.opted_in("sms").count() == 0  # asked, but no number linked yet
    assert NotificationPreference.objects.filter(user=resident, verb=CAMPAIGN, channel="sms", enabled=True).exists()


def test_the_transports_are_offered_to_the_agents_once_connected(sceaux):
    assert not {"sms", "chat"} & dict(campaigns.channel_choices()).keys()
    ChatChannel.objects.create(organisation=sceaux, platform=Platform.SMS, external_id="+33700000009")
    assert "sms" in dict(campaigns.channel_choices()) and "chat" not in dict(campaigns.channel_choices())
    assert campaign_transports.SMS_SEGMENTS == 3
