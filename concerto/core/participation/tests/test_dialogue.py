"""The commune's dialogue figures (issue 15): followers by month, digests sent, push and digest subscribers, read
from what the test writes; the page and its CSV for the commune's team and the Métropole above it; another
commune's agent and a resident refused; another commune's figures never counted."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from concerto import testing
from concerto.core.participation import digests
from concerto.core.participation.dialogue import dialogue_for, months_back
from concerto.core.participation.models import DigestSentCount, Follow, PushSubscription
from concerto.core.participation.services import follow_add
from concerto.core.participation.tests.test_overview import testing_french

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 6)


def _at(day: datetime.date):
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, 12))


@pytest.fixture
def audience(sceaux, montreuil):
    """Sceaux: 2 followers since March, 1 more in November (with a device for push and a weekly digest);
    Montreuil: 3 followers and 9 digests that must not count for Sceaux."""
    people = [testing.UserFactory(email=f"suit{i}@example.org") for i in range(6)]
    for person, day in zip(people[:3], (datetime.date(2026, 3, 2), datetime.date(2026, 3, 20),
                                        datetime.date(2026, 11, 5)), strict=True):
        follow_add(user=person, target=sceaux)
        Follow.objects.filter(user=person).update(created_at=_at(day))
    for person in people[3:]:
        follow_add(user=person, target=montreuil)
        PushSubscription.objects.create(user=person, endpoint=f"https://push.example.org/{person.pk}", p256dh="k",
                                        auth="a")
    PushSubscription.objects.create(user=people[2], endpoint="https://push.example.org/s", p256dh="k", auth="a")
    digests.digest_subscription_set(user=people[2], frequency="weekly")
    digests.digest_subscription_set(user=people[3], frequency="daily")
    digests.digest_sent_count(organisation_ids=[sceaux.pk], day=datetime.date(2026, 11, 2))
    digests.digest_sent_count(organisation_ids=[sceaux.pk, montreuil.pk], day=datetime.date(2026, 11, 2))
    digests.digest_sent_count(organisation_ids=[sceaux.pk], day=datetime.date(2026, 12, 1))
    DigestSentCount.objects.create(organisation=montreuil, day=datetime.date(2026, 12, 1), count=9)
    return people


def _chart(figures, title):
    return next(chart for chart in figures.charts if chart.title == title)


def test_the_months_run_back_over_the_year_change():
    months = months_back(datetime.date(2026, 2, 14), 3)
    assert months == [datetime.date(2025, 12, 1), datetime.date(2026, 1, 1), datetime.date(2026, 2, 1)]


def test_followers_digests_and_push_of_a_commune_count_only_its_own(audience, sceaux):
    with testing_french():
        figures = dialogue_for(organisation=sceaux, today=TODAY)
        assert (figures.followers, figures.push_subscribers, figures.digest_subscribers) == (3, 1, 1)
        followers = _chart(figures, "Abonnés à la fin de chaque mois")
        assert followers.rows[0] == ("janvier 2026", 0)
        assert ("mars 2026", 2) in followers.rows and ("octobre 2026", 2) in followers.rows
        assert followers.rows[-2:] == [("novembre 2026", 3), ("décembre 2026", 3)]
        sent = _chart(figures, "Résumés par e-mail envoyés, par mois")
        assert sent.rows[-2:] == [("novembre 2026", 2), ("décembre 2026", 1)] and figures.digests_sent == 3


def test_the_metropole_counts_the_communes_below_it(audience, metropole):
    figures = dialogue_for(organisation=metropole, today=TODAY)
    assert (figures.followers, figures.push_subscribers, figures.digest_subscribers) == (6, 4, 2)
    assert figures.digests_sent == 13


def test_a_digest_sent_counts_for_the_communes_whose_news_it_carried(sceaux, resident, mailoutbox):
    from concerto.core.participation.feed import feed_publish

    follow_add(user=resident, target=sceaux)
    subscription = digests.digest_subscription_set(user=resident, frequency="weekly")
    feed_publish(item=sceaux, kind="test", title="Le marché de Noël ouvre samedi", url="/sceaux/",
                 organisation=sceaux)
    assert digests.digests_send(subscription_ids=[subscription.pk], period="2026-W49") == 1
    assert len(mailoutbox) == 1
    row = DigestSentCount.objects.get()
    assert (row.organisation, row.count, row.day) == (sceaux, 1, timezone.localdate())
    assert digests.digests_send(subscription_ids=[subscription.pk], period="2026-W49") == 0  # claimed once
    assert DigestSentCount.objects.get().count == 1


def _signed_in(user) -> Client:
    client = Client()
    testing.login_with_mfa(client, user)
    return client


@pytest.mark.parametrize("who", ["agent", "elected", "admin_sceaux", "metropole_admin"])
def test_the_commune_s_team_and_the_metropole_read_the_page_and_its_csv(audience, who, request):
    client = _signed_in(request.getfixturevalue(who))
    menu = client.get("/gestion/sceaux/participation/").content.decode()
    assert 'href="/gestion/sceaux/participation/dialogue/"' in menu
    response = client.get("/gestion/sceaux/participation/dialogue/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<caption>Abonnés à la fin de chaque mois</caption>" in html and "novembre 2026" in html
    assert "<strong>3</strong> abonnés" in html
    assert "style=" not in html.split("<main", 1)[1]
    csv = client.get("/gestion/sceaux/participation/dialogue/export.csv")
    body = csv.content.decode("utf-8-sig")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    assert "Comment les abonnés sont prévenus,Abonnés,3" in body


def test_another_commune_s_agent_and_a_resident_are_refused(audience, outsider):
    for user in (outsider, testing.persona("habitant2@example.org", mfa=True)):
        client = _signed_in(user)
        assert client.get("/gestion/sceaux/participation/dialogue/").status_code == 403
        assert client.get("/gestion/sceaux/participation/dialogue/export.csv").status_code == 403
