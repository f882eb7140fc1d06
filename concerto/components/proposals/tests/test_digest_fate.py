"""The digest tells people what became of their contributions (kernel participation/digests.py, `digest_fates`):
an agent's answer to a proposal reaches its author's next digest, once, and only the people it concerns."""

import datetime

import pytest
from django.utils import timezone

from concerto import testing
from concerto.components.proposals import services
from concerto.core.participation import digests
from concerto.core.participation.notifications import notification_preference_set

pytestmark = pytest.mark.django_db
SECTION = "Ce que sont devenues vos contributions"


def _now():
    """Now, or 7 o'clock today if it is earlier: digests go from CONCERTO_DIGEST_HOUR (7 h) local time."""
    now = timezone.localtime()
    return now if now.hour >= 7 else now.replace(hour=7, minute=0)


def test_the_answer_to_my_proposal_is_in_my_next_digest_once(proposal, author, agent, mailoutbox):
    digests.digest_subscription_set(user=author, frequency="weekly")
    bystander = testing.persona("voisine@example.org", residence=proposal.organisation)
    digests.digest_subscription_set(user=bystander, frequency="weekly")
    services.proposal_answer(actor=agent, proposal=proposal, status="accepted",
                             text="<p>Nous planterons vingt arbres fruitiers au printemps.</p>")
    now = _now()
    digests.digests_schedule(now)
    assert [message.to for message in mailoutbox] == [[author.email]]  # the bystander: nothing new, no email
    text, html = mailoutbox[0].body, mailoutbox[0].alternatives[0][0]
    assert SECTION in text and SECTION in html
    assert "Planter des arbres fruitiers dans les écoles" in text
    assert "accepté" in text and "Nous planterons vingt arbres fruitiers au printemps." in text
    assert f"http://127.0.0.1:8000{proposal.get_absolute_url()}" in text
    # the next week, the same answer is not told again
    digests.digests_schedule(now + datetime.timedelta(days=7))
    assert len(mailoutbox) == 1


def test_a_kind_turned_off_on_the_site_is_not_in_the_digest(proposal, author, agent, mailoutbox):
    digests.digest_subscription_set(user=author, frequency="daily")
    notification_preference_set(user=author, verb="proposals.answered", channel="site", enabled=False)
    services.proposal_answer(actor=agent, proposal=proposal, status="under_study")
    digests.digests_schedule(_now())
    assert all(SECTION not in message.body for message in mailoutbox)
