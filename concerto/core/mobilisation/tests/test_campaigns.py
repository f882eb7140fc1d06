"""Campaigns (issue 18): who gets one (opt-in by construction, then the segment), the count and its basis before
sending, refusals in French, sending now or at a time (once, even with two clocks), the throttle, the one-click
opt-out, aggregate figures, and what officials and other communes may do."""

import datetime
import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from concerto import testing
from concerto.core.audit.models import AuditEntry
from concerto.core.errors import Refusal
from concerto.core.mobilisation import campaigns
from concerto.core.mobilisation.models import Actor, ActorContact, Campaign, CampaignDelivery
from concerto.core.participation import bounces
from concerto.core.participation.models import NotificationPreference, PushSubscription
from concerto.core.participation.notifications import CAMPAIGN
from concerto.core.participation.services import contribution_record, follow_add
from concerto.testing import ComponentFactory

pytestmark = pytest.mark.django_db


def _url(name, *args, org="sceaux"):
    return reverse(f"mobilisation_backoffice:{name}", args=[org, *args])


def _person(name, *, opted_in=True, follows=None, **fields):
    person = testing.UserFactory(email=f"{name}@example.org", **fields)
    if follows is not None:
        follow_add(user=person, target=follows)
    if opted_in:
        campaigns.campaign_optin(user=person)
    return person


@pytest.fixture
def people(sceaux, montreuil):
    """Followers of Sceaux: two who asked for invitations, one who did not, one whose address bounced; one who
    asked but follows Montreuil only."""
    made = {"anna": _person("anna", follows=sceaux), "bruno": _person("bruno", follows=sceaux),
            "silent": _person("silent", follows=sceaux, opted_in=False),
            "bounced": _person("bounced", follows=sceaux), "elsewhere": _person("elsewhere", follows=montreuil)}
    for n in range(3):
        bounces.email_bounce_record(address="bounced@example.org", kind="hard", key=f"b{n}")
    return made


def _draft(agent, sceaux, segment=None, **values):
    values = {"channel": "email", "subject": "Votez pour le budget participatif",
              "text": "Il reste une semaine pour voter.", "target": "/sceaux/", "segment": segment or {}, **values}
    return campaigns.campaign_save(actor=agent, organisation=sceaux, **values)


def _path(url):
    return url.removeprefix(settings.SITE_URL.rstrip("/"))


def _emails_to(address):
    return [message for message in mail.outbox if address in message.to]


def test_only_people_who_asked_for_invitations_are_reached_never_the_others(agent, sceaux, people,
                                                                           django_capture_on_commit_callbacks):
    campaign = _draft(agent, sceaux, {"followers": True})
    assert set(campaigns.campaign_people(campaign)) == {people["anna"], people["bruno"]}
    with django_capture_on_commit_callbacks(execute=True):
        assert campaigns.campaign_send(actor=agent, campaign=campaign) == 2
    assert sorted(address for message in mail.outbox for address in message.to) == [
        "anna@example.org", "bruno@example.org"]
    # in the segment but never asked; asked but the address bounced; asked but of another commune: nothing
    assert not _emails_to("silent@example.org") and not _emails_to("bounced@example.org")
    assert not _emails_to("elsewhere@example.org")
    assert set(CampaignDelivery.objects.values_list("user__email", flat=True)) == {"anna@example.org",
                                                                                 "bruno@example.org"}
    assert Campaign.objects.get().status == Campaign.Status.SENT


def test_the_kind_is_off_by_default_and_turned_on_in_the_settings(client, resident):
    testing.login_with_mfa(client, resident)
    page = client.get(reverse("accounts:notification_settings")).content.decode()
    assert "Les invitations de ma commune à participer" in page
    assert not NotificationPreference.objects.filter(user=resident, verb=CAMPAIGN).exists()
    assert not campaigns.opted_in("email").filter(pk=resident.pk).exists()
    campaigns.campaign_optin(user=resident)
    assert campaigns.opted_in("email").filter(pk=resident.pk).exists()


def test_segments_narrow_the_people_who_opted_in(agent, sceaux, space, people):
    this_year = timezone.localdate().year
    young = _person("young", residence=sceaux, birth_year=this_year - 20, demographics_consent_at=timezone.now())
    _person("young-no-consent", residence=sceaux, birth_year=this_year - 20)  # gave an age, not its use
    _person("older", residence=sceaux, birth_year=this_year - 50, demographics_consent_at=timezone.now())
    component = ComponentFactory(space=space, kind="proposals")
    contribution_record(kind="test.item", target=component, component=component, author=people["anna"])
    old = contribution_record(kind="test.item", target=component, component=component, author=people["bruno"])
    old.created_at = timezone.now() - datetime.timedelta(days=400)
    old.save()
    from concerto.core.accounts.models import Verification

    Verification.objects.create(user=young, organisation=sceaux, method=Verification.Method.DESK)

    def reached(**segment):
        return {person.email.split("@")[0] for person in campaigns.campaign_people(_draft(agent, sceaux, segment))}

    assert reached() == {"anna", "bruno", "young", "older", "young-no-consent"}  # everyone of Sceaux who asked
    assert reached(contributors=True) == {"anna", "bruno"}
    since = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    assert reached(contributors=True, since=since) == {"anna"}
    assert reached(age_band="15-29") == {"young"}
    assert reached(verified=True) == {"young"}
    assert reached(verified=True, age_band="45-59") == set()  # criteria are ANDed
    assert campaigns.campaign_reach(_draft(agent, sceaux, {"age_band": "15-29"}))["total"] == 1


def test_the_preview_shows_the_count_and_the_opt_in_basis(staff_client, agent, sceaux, people):
    campaign = _draft(agent, sceaux, {"followers": True})
    page = staff_client(agent).get(_url("campaign_preview", campaign.pk)).content.decode()
    assert "Elle atteint 2 personnes" in page
    assert "2 personnes ont accepté de recevoir les invitations à participer par e-mail" in page
    assert "Envoyer maintenant à 2 personnes" in page


def test_a_segment_of_nobody_is_refused_in_french_and_nothing_is_sent(staff_client, agent, sceaux, people):
    campaign = _draft(agent, sceaux, {"followers": True, "age_band": "75+"})
    with pytest.raises(Refusal, match="Personne ne recevrait cette campagne"):
        campaigns.campaign_send(actor=agent, campaign=campaign)
    browser = staff_client(agent)
    assert "Envoyer maintenant" not in browser.get(_url("campaign_preview", campaign.pk)).content.decode()
    response = browser.post(_url("campaign_send", campaign.pk), {"when": "now"})
    assert response.status_code == 400 and "Personne ne recevrait cette campagne" in response.content.decode()
    assert not CampaignDelivery.objects.exists() and not mail.outbox
    assert Campaign.objects.get().status == Campaign.Status.DRAFT


def test_bad_input_gets_french_errors_and_keeps_what_was_typed(staff_client, agent, sceaux, people):
    browser = staff_client(agent)
    response = browser.post(_url("campaign_create"), {"channel": "email", "subject": "Votez !", "text": "",
                                                      "target": "https://evil.example/"})
    page = response.content.decode()
    assert response.status_code == 400 and "Ce champ est obligatoire" in page
    assert "Un lien court ne peut mener qu’à une page de ce site" in page and "Votez !" in page
    response = browser.post(_url("campaign_create"), {"channel": "sms", "subject": "Votez", "text": "Texte",
                                                      "target": "/sceaux/"})
    assert response.status_code == 400 and "Sélectionnez un choix valide" in response.content.decode()
    campaign = _draft(agent, sceaux, {"followers": True})
    response = browser.post(_url("campaign_send", campaign.pk), {"when": "later", "send_at": "2001-01-01T10:00"})
    assert response.status_code == 400 and "Choisissez un moment à venir" in response.content.decode()
    response = browser.post(_url("campaign_send", campaign.pk), {"when": "later", "send_at": "demain"})
    assert response.status_code == 400
    assert not Campaign.objects.exclude(status=Campaign.Status.DRAFT).exists()


def test_an_agent_writes_previews_and_sends_through_the_pages(staff_client, agent, sceaux, people,
                                                              django_capture_on_commit_callbacks):
    browser = staff_client(agent)
    assert "Campagnes" in browser.get(_url("campaigns")).content.decode()
    response = browser.post(_url("campaign_create"), {"channel": "email", "subject": "Votez pour vos projets",
                                                      "text": "Dernière semaine.", "target": "/sceaux/",
                                                      "followers": "on"})
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and response["Location"] == _url("campaign_preview", campaign.pk)
    assert campaign.segment == {"followers": True}
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(_url("campaign_send", campaign.pk), {"when": "now"})
    assert response.status_code == 302
    assert len(mail.outbox) == 2
    assert AuditEntry.objects.filter(action="mobilisation.campaign_sent").count() == 1
    # a sent campaign can no longer change: its page opens the figures
    assert browser.get(_url("campaign_edit", campaign.pk))["Location"] == _url("campaign_figures", campaign.pk)


def test_every_email_carries_a_one_click_opt_out_that_works_without_signing_in(agent, sceaux, people,
                                                                               django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        campaigns.campaign_send(actor=agent, campaign=_draft(agent, sceaux, {"followers": True}))
    message = _emails_to("anna@example.org")[0]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    optout = re.match(r"<([^>]+)>", message.extra_headers["List-Unsubscribe"])[1]
    assert optout in message.body and optout in message.alternatives[0][0]
    link = re.search(r"http://[^\s]+/l/[a-z0-9]+", message.body)[0]
    assert "/l/" in link and "Votez pour le budget participatif" == message.subject
    path = _path(optout)
    anonymous = Client(enforce_csrf_checks=True)
    assert "Arrêter les invitations" in anonymous.get(path).content.decode()
    assert anonymous.post(path).status_code == 200  # the mail client's one-click POST, no session, no CSRF token
    assert not campaigns.receives(people["anna"])
    assert AuditEntry.objects.filter(action="mobilisation.campaign_optout").count() == 1
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        campaigns.campaign_send(actor=agent, campaign=_draft(agent, sceaux, {"followers": True}))
    assert not _emails_to("anna@example.org") and _emails_to("bruno@example.org")
    assert Client().get("/invitations/arret/pas-un-jeton/").status_code == 404


def test_actors_contacts_get_it_only_with_their_consent_and_stop_it_by_their_link(agent, sceaux, people,
                                                                                  django_capture_on_commit_callbacks):
    actor = Actor.objects.create(organisation=sceaux, name="Maison des jeunes", kind="association")
    agreed = ActorContact.objects.create(actor=actor, name="Inès", email="ines@mjc.example.org",
                                         campaigns_consent_at=timezone.now())
    ActorContact.objects.create(actor=actor, name="Paul", email="paul@mjc.example.org")  # never agreed
    campaign = _draft(agent, sceaux, {"actors": True})
    assert list(campaigns.campaign_people(campaign)) == []  # the contacts only
    assert list(campaigns.campaign_contacts(campaign)) == [agreed]
    with django_capture_on_commit_callbacks(execute=True):
        assert campaigns.campaign_send(actor=agent, campaign=campaign) == 1
    assert [message.to for message in mail.outbox] == [["ines@mjc.example.org"]]
    optout = re.match(r"<([^>]+)>", mail.outbox[0].extra_headers["List-Unsubscribe"])[1]
    assert Client().post(_path(optout)).status_code == 200
    agreed.refresh_from_db()
    assert agreed.campaigns_consent_at is None


def test_a_scheduled_campaign_is_sent_once_by_the_periodic_job_even_with_two_clocks(
        agent, sceaux, people, django_capture_on_commit_callbacks):
    campaign = _draft(agent, sceaux, {"followers": True})
    at = timezone.now() + datetime.timedelta(hours=2)
    campaigns.campaign_send(actor=agent, campaign=campaign, send_at=at)
    assert Campaign.objects.get().status == Campaign.Status.SCHEDULED and not mail.outbox
    assert campaigns.campaigns_due(timezone.now()) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert campaigns.campaigns_due(at + datetime.timedelta(minutes=1)) == 1
        assert campaigns.campaigns_due(at + datetime.timedelta(minutes=1)) == 0  # the second clock
    assert len(mail.outbox) == 2 and CampaignDelivery.objects.count() == 2
    assert Campaign.objects.get().status == Campaign.Status.SENT


def test_a_scheduled_campaign_can_be_cancelled_and_then_sends_nothing(staff_client, agent, sceaux, people):
    campaign = _draft(agent, sceaux, {"followers": True})
    browser = staff_client(agent)
    at = (timezone.localtime() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    assert browser.post(_url("campaign_send", campaign.pk), {"when": "later", "send_at": at}).status_code == 302
    assert browser.post(_url("campaign_cancel", campaign.pk)).status_code == 302
    assert Campaign.objects.get().status == Campaign.Status.CANCELLED
    assert campaigns.campaigns_due(timezone.now() + datetime.timedelta(days=2)) == 0 and not mail.outbox
    with pytest.raises(Refusal, match="Seule une campagne programmée"):
        campaigns.campaign_cancel(actor=agent, campaign=campaign)


def test_a_batch_never_sends_more_than_the_channel_s_rate_allows(agent, sceaux, people, settings, monkeypatch):
    for n in range(5):
        _person(f"extra{n}", follows=sceaux)
    settings.CONCERTO_CAMPAIGN_RATES = {"email": 0.2}  # one message every 5 seconds
    settings.CONCERTO_CAMPAIGN_WINDOW = 10  # two a batch
    queued = []
    monkeypatch.setattr(campaigns, "_next_batch",  # the database backend: queued to run after the window
                        lambda campaign_id, not_before: queued.append(not_before) or True)
    campaign = _draft(agent, sceaux, {"followers": True})
    campaigns.campaign_send(actor=agent, campaign=campaign)  # the first batch waits for the commit: run by hand
    before = timezone.now()
    assert campaigns.campaign_batch.call(campaign.pk) == 2
    assert len(mail.outbox) == 2 and len(queued) == 1
    assert queued[0] >= before + datetime.timedelta(seconds=10)  # the next one waits for the window's end
    while Campaign.objects.get().status == Campaign.Status.SENDING:
        assert campaigns.campaign_batch.call(campaign.pk) <= 2
    assert len(mail.outbox) == 7 and len(queued) == 3


def test_without_a_worker_that_can_wait_the_batches_follow_one_another_in_one_call(
        agent, sceaux, people, settings):
    for n in range(40):
        _person(f"many{n}", follows=sceaux)
    settings.CONCERTO_CAMPAIGN_RATES = {"email": 0.1}
    settings.CONCERTO_CAMPAIGN_WINDOW = 10  # one a batch: 42 batches, in one call of the immediate backend
    campaign = _draft(agent, sceaux, {"followers": True})
    campaigns.campaign_send(actor=agent, campaign=campaign)
    assert campaigns.campaign_batch.call(campaign.pk) == 42
    assert Campaign.objects.get().status == Campaign.Status.SENT


def test_a_campaign_whose_worker_died_is_queued_again(agent, sceaux, people, monkeypatch):
    monkeypatch.setattr(campaigns, "_next_batch", lambda *args: True)
    campaign = _draft(agent, sceaux, {"followers": True})
    campaigns.campaign_send(actor=agent, campaign=campaign)  # its first batch never ran (no commit here)
    assert not mail.outbox
    assert campaigns.campaigns_due(timezone.now()) == 0  # not stale yet
    assert campaigns.campaigns_due(timezone.now() + datetime.timedelta(minutes=11)) == 1
    assert len(mail.outbox) == 2 and Campaign.objects.get().status == Campaign.Status.SENT


def test_push_reaches_only_people_who_asked_for_it_and_have_a_device(sceaux, people):
    anna = people["anna"]
    campaigns.campaign_optin(user=anna, channel="push")
    assert not campaigns.opted_in("push").exists()  # no device yet
    PushSubscription.objects.create(user=anna, endpoint="https://push.example/1", p256dh="k", auth="a")
    PushSubscription.objects.create(user=people["silent"], endpoint="https://push.example/2", p256dh="k", auth="a")
    assert list(campaigns.opted_in("push")) == [anna]


def test_figures_count_opens_visits_and_bounces_without_telling_anyone_apart(
        staff_client, agent, elected, sceaux, people, django_capture_on_commit_callbacks):
    campaign = _draft(agent, sceaux, {"followers": True})
    with django_capture_on_commit_callbacks(execute=True):
        campaigns.campaign_send(actor=agent, campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.link.source_kind == "campaign" and campaign.link.source_id == campaign.pk
    visitor = Client()
    assert visitor.get(f"/l/{campaign.link.code}")["Location"] == "/sceaux/"
    assert visitor.get(reverse("campaign_image", args=[campaign.pk]))["Content-Type"] == "image/png"
    Client().get(reverse("campaign_image", args=[campaign.pk]))
    for n in range(3):
        bounces.email_bounce_record(address="bruno@example.org", kind="hard", key=f"bruno{n}")
    campaign.refresh_from_db()
    figures = campaigns.campaign_figures(campaign)
    assert {key: figures[key] for key in ("recipients", "sent", "failed", "delivered", "opens", "visits")} == {
        "recipients": 2, "sent": 2, "failed": 0, "delivered": 1, "opens": 2, "visits": 1}
    page = staff_client(elected).get(_url("campaign_figures", campaign.pk)).content.decode()
    assert "Ouvertures (approximatif)" in page and "Visites du lien" in page
    assert ("Contributions qu’elle a apportées" in page) == hasattr(campaigns.links, "contributions_brought")


def test_a_failing_mail_server_counts_a_failure_and_sends_the_others(agent, sceaux, people, monkeypatch,
                                                                     django_capture_on_commit_callbacks):
    real = campaigns.campaign_email

    def flaky(campaign, *, to, token):
        if to == "anna@example.org":
            raise OSError("mail server down")
        return real(campaign, to=to, token=token)

    monkeypatch.setattr(campaigns, "campaign_email", flaky)
    campaign = _draft(agent, sceaux, {"followers": True})
    with django_capture_on_commit_callbacks(execute=True):
        campaigns.campaign_send(actor=agent, campaign=campaign)
    figures = campaigns.campaign_figures(campaign)
    assert (figures["sent"], figures["failed"]) == (1, 1) and len(mail.outbox) == 1


def test_officials_read_campaigns_but_do_not_write_and_other_communes_reach_nothing(staff_client, agent, elected,
                                                                                   outsider, sceaux, people):
    campaign = _draft(agent, sceaux, {"followers": True})
    official = staff_client(elected)
    page = official.get(_url("campaigns")).content.decode()
    assert campaign.subject in page and "Écrire une campagne" not in page
    assert "Envoyer maintenant" not in official.get(_url("campaign_preview", campaign.pk)).content.decode()
    assert official.get(_url("campaign_create")).status_code == 403
    assert official.post(_url("campaign_send", campaign.pk), {"when": "now"}).status_code == 403
    others = staff_client(outsider)
    assert others.get(_url("campaigns")).status_code == 403
    assert others.get(_url("campaign_preview", campaign.pk, org="montreuil")).status_code == 404
    assert others.post(_url("campaign_send", campaign.pk, org="montreuil"), {"when": "now"}).status_code == 404
    assert others.get(_url("campaign_figures", campaign.pk, org="montreuil")).status_code == 404
    assert campaign.subject not in others.get(_url("campaigns", org="montreuil")).content.decode()
    assert not mail.outbox and Campaign.objects.get().status == Campaign.Status.DRAFT


def test_the_representativeness_panel_prefills_a_campaign_to_an_age_band(staff_client, agent, space):
    response = staff_client(agent).get(_url("campaign_create") + f"?age_band=15-29&space={space.pk}")
    page = response.content.decode()
    assert re.search(r'<option value="15-29"[^>]*selected', page)
    assert re.search(rf'<option value="{space.pk}"[^>]*selected', page)


def test_an_agent_records_a_contact_s_consent_which_the_actors_segment_then_reads(staff_client, agent, sceaux):
    browser = staff_client(agent)
    actor = Actor.objects.create(organisation=sceaux, name="Club de foot des Blagis", kind="association")
    url = _url("actor", actor.pk)
    response = browser.post(url, {"contact": "1", "name": "Nadia", "phone": "0600000000", "campaigns_consent": "on"})
    assert response.status_code == 400 and "Les invitations partent par e-mail" in response.content.decode()
    browser.post(url, {"contact": "1", "name": "Nadia", "email": "nadia@club.example.org", "campaigns_consent": "on"})
    browser.post(url, {"contact": "1", "name": "Marc", "email": "marc@club.example.org"})
    assert "accepte les invitations à participer" in browser.get(url).content.decode()
    campaign = _draft(agent, sceaux, {"actors": True})
    assert [contact.name for contact in campaigns.campaign_contacts(campaign)] == ["Nadia"]


def test_the_campaigns_a_person_was_sent_are_in_their_export_and_go_with_the_account(
        agent, sceaux, people, django_capture_on_commit_callbacks):
    import json

    from concerto.core.accounts.services import account_delete, account_export

    with django_capture_on_commit_callbacks(execute=True):
        campaigns.campaign_send(actor=agent, campaign=_draft(agent, sceaux, {"followers": True}))
    exported = json.dumps(account_export(user=people["anna"]), default=str)
    assert "campaigns_received" in exported and "Votez pour le budget participatif" in exported
    account_delete(user=people["anna"])
    assert list(CampaignDelivery.objects.values_list("user__email", flat=True)) == ["bruno@example.org"]


def test_a_quartier_segment_reaches_those_who_gave_it_under_consent_and_the_form_offers_the_commune_s(
        staff_client, agent, sceaux, montreuil, people):
    from concerto.core.territory.models import Quartier

    blagis = Quartier.objects.create(organisation=sceaux, name="Les Blagis", priority_area=True)
    centre = Quartier.objects.create(organisation=sceaux, name="Centre-ville")
    elsewhere = Quartier.objects.create(organisation=montreuil, name="La Noue")
    now = timezone.now()
    _person("blagis", residence=sceaux, quartier=blagis, demographics_consent_at=now)
    _person("blagis-silent", residence=sceaux, quartier=blagis, demographics_consent_at=now, opted_in=False)
    _person("centre", residence=sceaux, quartier=centre, demographics_consent_at=now)

    def reached(**segment):
        return {person.email.split("@")[0] for person in campaigns.campaign_people(_draft(agent, sceaux, segment))}

    assert reached(quartier=blagis.pk) == {"blagis"}
    assert reached(quartier=elsewhere.pk) == set()  # another commune's quartier reaches nobody
    page = staff_client(agent).get(_url("campaign_create")).content.decode()
    assert "Personnes qui habitent ce quartier" in page and "Les Blagis" in page and "La Noue" not in page
