"""Questions to officials in the feeds: once published, then once answered."""

import pytest

from concerto.components.questions import services
from concerto.core.participation import feed
from concerto.core.participation.services import follow_add
from concerto.testing import UserFactory

pytestmark = pytest.mark.django_db


def test_a_question_enters_the_feed_when_published_and_again_when_answered(committed, agent, elected, sceaux):
    follower = UserFactory(email="suiveur@example.org")
    follow_add(user=follower, target=sceaux)
    kinds = [entry.kind for entry in feed.feed_page(user=follower).entries]
    assert kinds == ["questions.published"]  # not before the moderators kept it
    services.question_assign(actor=agent, question=committed, assignee=elected)
    services.question_answer(actor=elected, question=committed, text="Fin des travaux en mars.", publish=True)
    entries = feed.feed_page(user=follower).entries
    assert [entry.kind for entry in entries] == ["questions.answered", "questions.published"]
    assert entries[0].url == committed.get_absolute_url() and "La commune a répondu" in entries[0].title
