"""The digest's questions section: the answers to the questions the person asked, through the manifest's hook."""

import datetime

import pytest
from django.utils import timezone

from concerto.components.questions import services
from concerto.core.participation import digests

pytestmark = pytest.mark.django_db


def test_the_weekly_digest_tells_the_author_their_question_is_answered_once(committed, agent, resident,
                                                                           mailoutbox):
    digests.digest_subscription_set(user=resident, frequency="weekly")
    services.question_answer(actor=agent, question=committed, text="Les travaux commencent en mars.")
    now = timezone.localtime().replace(hour=9)
    digests.digests_schedule(now)
    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert "Questions aux élus" in body
    assert committed.title in body and "Les travaux commencent en mars." in body
    digests.digests_schedule(now + datetime.timedelta(days=7))  # the next week: nothing new, no email
    assert len(mailoutbox) == 1
