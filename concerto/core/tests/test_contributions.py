"""The contributions ledger records each input with its channel and the contributor's commune."""

import pytest

from concerto.components.news.services import post_create
from concerto.core.participation.models import Channel, Contribution
from concerto.core.participation.services import contribution_record, contribution_remove
from concerto.testing import ComponentFactory, UserFactory


@pytest.fixture
def post(agent, sceaux):
    component = ComponentFactory(space__organisation=sceaux)
    return post_create(author=agent, component=component, title="Travaux", body="Rue barrée.", publish=True)


def test_a_contribution_takes_the_author_commune_of_residence(post, montreuil):
    author = UserFactory(residence=montreuil)
    row = contribution_record(kind="news.test", target=post, component=post.component, author=author)
    assert row.residence == montreuil
    assert row.organisation == post.component.space.organisation
    assert row.channel == Channel.WEB


def test_paper_contributions_have_no_author_but_a_commune(post, sceaux):
    row = contribution_record(kind="news.test", target=post, component=post.component, channel=Channel.PAPER,
                              residence=sceaux)
    assert row.author is None and row.residence == sceaux and row.channel == "paper"


def test_an_unknown_channel_is_refused(post):
    with pytest.raises(ValueError):
        contribution_record(kind="news.test", target=post, component=post.component, channel="pigeon")
    assert not Contribution.objects.exists()


def test_removing_a_target_takes_it_out_of_the_ledger(post):
    contribution_record(kind="news.test", target=post, component=post.component)
    assert contribution_remove(target=post) == 1
    assert not Contribution.objects.exists()
