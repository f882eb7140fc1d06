"""The email digest (kernel participation/digests.py) with the polls' hook: what it holds, once a period, the
one-click unsubscribe, and a batch killed in the middle."""

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from concerto import testing
from concerto.components.polls import services
from concerto.core.participation import bounces, digests
from concerto.core.participation.models import DigestSubscription
from concerto.core.participation.services import follow_add

pytestmark = pytest.mark.django_db
# A Wednesday at 9 in Paris: the weekly period is 2026-W49.
NOW = timezone.make_aware(datetime.datetime(2026, 12, 2, 9, 0))


@pytest.fixture
def weekly(resident, sceaux):
    follow_add(user=resident, target=sceaux)
    return digests.digest_subscription_set(user=resident, frequency="weekly")


def _poll(polls, agent, question="Faut-il piétonniser la rue Houdan le dimanche ?"):
    return services.poll_create(actor=agent, component=polls, question=question, choices=["Oui", "Non"],
                                publish=True)


def test_the_weekly_digest_holds_the_new_entry_and_the_open_poll_and_goes_once_a_week(weekly, polls, agent,
                                                                                      mailoutbox):
    _poll(polls, agent)
    digests.digests_schedule(NOW)
    digests.digests_schedule(NOW + datetime.timedelta(hours=1))  # the clock again, the same week
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["resident@example.org"]
    assert message.subject == "Les nouveautés de la semaine pour vous"
    text, html = message.body, message.alternatives[0][0]
    # the feed entry of the published poll, and the poll again in the quick polls' section
    assert text.count("Faut-il piétonniser la rue Houdan le dimanche ?") == 2
    assert "Sondages express" in text and "Sondages express" in html
    unsubscribe = f"http://127.0.0.1:8000/mon-fil/resume/desabonnement/{weekly.token}/"
    assert message.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in text and unsubscribe in html
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in message.message().as_string()
    # the next week, nothing new: no email; something new: an email with it only
    digests.digests_schedule(NOW + datetime.timedelta(days=7))
    assert len(mailoutbox) == 1
    next_week = timezone.now() + datetime.timedelta(days=7)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: next_week)
        _poll(polls, agent, "Un marché le jeudi soir ?")
    digests.digests_schedule(NOW + datetime.timedelta(days=14))
    assert len(mailoutbox) == 2
    assert mailoutbox[1].body.count("Un marché le jeudi soir ?") == 2
    assert "rue Houdan" not in mailoutbox[1].body  # announced once, not in every digest while it stays open


def test_nothing_new_no_email_and_nobody_gets_one_without_opting_in(resident, sceaux, polls, agent, mailoutbox):
    follow_add(user=resident, target=sceaux)
    _poll(polls, agent)
    digests.digests_schedule(NOW)
    assert mailoutbox == []  # not opted in
    other = testing.persona("calme@example.org", residence=testing.commune("montreuil"))
    digests.digest_subscription_set(user=other, frequency="daily")
    digests.digests_schedule(NOW)
    assert mailoutbox == []  # opted in, but nothing new for a resident of Montreuil (the outsider)
    assert DigestSubscription.objects.get(user=other).last_sent_period == "2026-12-02"


def test_unsubscribe_by_the_page_without_session_then_no_more_digest(weekly, polls, agent, mailoutbox):
    browser = Client(enforce_csrf_checks=True)
    url = f"/mon-fil/resume/desabonnement/{weekly.token}/"
    page = browser.get(url)
    assert page.status_code == 200
    assert "Arrêter le résumé" in page.content.decode()
    assert browser.post(url).status_code == 200
    assert DigestSubscription.objects.get().frequency == "none"
    assert "Vous ne recevrez plus le résumé" in browser.get(url).content.decode()
    _poll(polls, agent)
    digests.digests_schedule(NOW)
    assert mailoutbox == []


def test_one_click_post_from_a_mail_client_and_a_bad_token(weekly):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(f"/mon-fil/resume/desabonnement/{weekly.token}/",
                            {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert DigestSubscription.objects.get().frequency == "none"
    wrong = browser.get("/mon-fil/resume/desabonnement/pas-le-bon/")
    assert wrong.status_code == 404
    assert "Ce lien de désabonnement n’existe pas" in wrong.content.decode()
    assert browser.post("/mon-fil/resume/desabonnement/pas-le-bon/").status_code == 404


def test_the_settings_page_sets_the_frequency_and_refuses_a_wrong_one(client, resident):
    client.force_login(resident)
    page = client.get("/compte/notifications/reglages/")
    assert "Résumé par e-mail" in page.content.decode()
    response = client.post("/compte/notifications/resume/", {"frequency": "chaque heure"}, follow=True)
    assert "Choisissez à quelle fréquence" in response.content.decode()
    assert not DigestSubscription.objects.exists()
    client.post("/compte/notifications/resume/", {"frequency": "daily"})
    assert DigestSubscription.objects.get(user=resident).frequency == "daily"
    page = client.get("/compte/notifications/reglages/").content.decode()
    assert 'value="daily" id="id_digest_daily" checked' in page


class Killed(BaseException):
    """What a worker killed in the middle of a batch looks like to the code: it does not come back."""


def test_a_batch_killed_in_the_middle_sends_only_the_rest_when_it_runs_again(sceaux, polls, agent, mailoutbox,
                                                                          monkeypatch):
    people = [testing.persona(f"habitant{n}@example.org", residence=sceaux) for n in range(5)]
    for person in people:
        follow_add(user=person, target=sceaux)
        digests.digest_subscription_set(user=person, frequency="weekly")
    _poll(polls, agent)
    ids = list(DigestSubscription.objects.order_by("pk").values_list("pk", flat=True))
    period = digests.period_of("weekly", NOW)
    real_send, sent = mail.EmailMultiAlternatives.send, []

    def send(message, *args, **kwargs):
        if len(sent) == 2:
            raise Killed
        sent.append(message.to[0])
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", send)
    with pytest.raises(Killed):
        digests.digest_batch.call(ids, period)
    assert len(mailoutbox) == 2
    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", real_send)
    digests.digests_schedule(NOW)  # the next run finds the three left
    digests.digests_schedule(NOW)
    assert sorted(message.to[0] for message in mailoutbox) == sorted(person.email for person in people)


def test_a_failed_send_is_tried_again_and_bounces_stop_the_digest(weekly, polls, agent, mailoutbox, monkeypatch):
    _poll(polls, agent)

    def down(message, *args, **kwargs):
        raise OSError("mail server down")

    with monkeypatch.context() as patch:
        patch.setattr(mail.EmailMultiAlternatives, "send", down)
        digests.digests_schedule(NOW)
    assert mailoutbox == [] and DigestSubscription.objects.get().last_sent_period == ""
    for n in range(3):
        bounces.email_bounce_record(address="Resident@example.org", kind="hard", key=f"bounce-{n}")
    digests.digests_schedule(NOW)
    assert mailoutbox == []



def test_the_subscription_is_in_the_persons_export_and_goes_with_their_data(weekly, resident):
    from concerto.core.participation import privacy

    assert privacy.personal_data(resident)["digest"][0]["frequency"] == "weekly"
    privacy.erase_personal_data(resident)
    assert not DigestSubscription.objects.exists()
