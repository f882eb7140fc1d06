"""The digests of a batch are built together (kernel participation/digests.py): people who follow the same things
share one reading of the feed and one rendering, and each still gets only what concerns them."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from concerto import testing
from concerto.components.polls import services
from concerto.components.polls.tests.conftest import choice_ids
from concerto.core.participation import digests
from concerto.core.participation.models import DigestSubscription, FeedEntryTarget
from concerto.core.participation.services import follow_add

pytestmark = pytest.mark.django_db
NOW = timezone.make_aware(datetime.datetime(2026, 12, 2, 9, 0))


def _weekly(person, *follows):
    for target in follows:
        follow_add(user=person, target=target)
    return digests.digest_subscription_set(user=person, frequency="weekly")


def test_followers_of_one_commune_share_one_feed_reading_and_get_the_same_digest(sceaux, poll, mailoutbox):
    people = [testing.persona(f"voisin{n}@example.org", residence=sceaux) for n in range(6)]
    subscriptions = [_weekly(person, sceaux) for person in people]
    feed_table = FeedEntryTarget._meta.db_table
    with CaptureQueriesContext(connection) as queries:
        digests.digests_schedule(NOW)
    assert len([query for query in queries if feed_table in query["sql"]]) == 1  # one reading for all six
    assert sorted(message.to[0] for message in mailoutbox) == sorted(person.email for person in people)
    bodies = set()
    for message, subscription in zip(sorted(mailoutbox, key=lambda m: m.to[0]),
                                     sorted(subscriptions, key=lambda s: s.user.email), strict=True):
        assert message.to == [subscription.user.email]
        own = f"/mon-fil/resume/desabonnement/{subscription.token}/"
        assert own in message.body and own in message.alternatives[0][0]
        assert own in message.extra_headers["List-Unsubscribe"]
        bodies.add(message.body.replace(subscription.token, "TOKEN"))
    assert len(bodies) == 1  # the same section, but each with their own unsubscribe address
    assert bodies.pop().count(poll.question) == 2  # the feed entry and the quick polls' section


def test_each_person_of_a_batch_gets_what_concerns_them_only(sceaux, poll, mailoutbox):
    follows_nothing = testing.persona("rien@example.org", residence=sceaux)
    _weekly(follows_nothing)
    answered = testing.persona("repondu@example.org", residence=sceaux)
    _weekly(answered, sceaux)
    services.poll_answer(poll=poll, user=answered, choices=choice_ids(poll, "Oui"), why="", channel="web")
    elsewhere = testing.persona("ailleurs@example.org", residence=testing.commune("montreuil"))
    _weekly(elsewhere, sceaux)
    digests.digests_schedule(NOW)
    got = {message.to[0]: message.body for message in mailoutbox}
    # someone who lives in Sceaux and follows nothing is still told of the poll open to them
    assert got["rien@example.org"].count(poll.question) == 1 and "Sondages express" in got["rien@example.org"]
    # the poll's feed entry, but not the poll again: answered, or not open to a resident of Montreuil
    for email in ("repondu@example.org", "ailleurs@example.org"):
        assert got[email].count(poll.question) == 1 and "Sondages express" not in got[email]
    assert set(got) == {"repondu@example.org", "ailleurs@example.org", "rien@example.org"}


def test_a_person_following_nothing_with_nothing_open_to_them_gets_no_email(sceaux, poll, mailoutbox):
    nobody = testing.persona("personne@example.org")  # no commune declared, follows nothing
    _weekly(nobody)
    follower = testing.persona("suit@example.org", residence=sceaux)
    _weekly(follower, sceaux)
    digests.digests_schedule(NOW)
    assert [message.to for message in mailoutbox] == [["suit@example.org"]]
    assert DigestSubscription.objects.get(user=nobody).last_sent_period == "2026-W49"  # done for the week
