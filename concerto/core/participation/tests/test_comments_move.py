"""Comments move with a merge (`comments_move`): threads, votes, stances, moderation, authors and dates kept,
each marked with where it was written; counters and the ledger follow; nobody is notified."""

import pytest
from django.contrib.contenttypes.models import ContentType

from concerto import testing
from concerto.components.proposals import services as proposals
from concerto.core.participation.models import Comment, Contribution, Notification
from concerto.core.participation.services import (
    comment_create,
    comment_vote,
    comments_move,
    moderation_hide,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(space, step, author, resident):
    component = testing.ComponentFactory(space=space, kind="proposals", title="Idées")
    target = proposals.proposal_create(author=author, component=component, title="Un verger", text="Des pommiers")
    source = proposals.proposal_create(author=resident, component=component, title="Des arbres fruitiers",
                                       text="Des poiriers")
    return source, target


def test_a_merge_moves_the_threads_with_their_votes_authors_and_dates(pair, agent, author, resident, moderator):
    source, target = pair
    on_target = comment_create(author=author, target=target, body="Déjà là")
    first = comment_create(author=resident, target=source, body="Première")
    reply = comment_create(author=author, target=source, body="Réponse", parent=first)
    hidden = comment_create(author=resident, target=source, body="Hors sujet")
    moderation_hide(moderator=moderator, content=hidden, reason="Hors sujet")
    comment_vote(user=author, comment=first, value=1)
    dates = dict(Comment.objects.values_list("pk", "created_at"))
    notifications = Notification.objects.count()

    proposals.proposals_merge(actor=agent, into=target, proposals=[source])

    moved = Comment.objects.on(target).order_by("pk")
    assert [c.body for c in moved] == ["Déjà là", "Première", "Réponse", "Hors sujet"]
    assert dict(moved.values_list("pk", "created_at")) == dates
    reply.refresh_from_db()
    assert reply.parent_id == first.pk and reply.author == author
    assert Comment.objects.on(target).with_votes().get(pk=first.pk).up_votes == 1
    assert Comment.objects.get(pk=hidden.pk).is_hidden
    marks = {c.body: (c.moved_from_title, c.moved_from_url) for c in moved}
    assert marks["Déjà là"] == ("", "")
    assert marks["Première"] == ("Des arbres fruitiers", f"{source.get_absolute_url()}?fusion=non")
    assert not Comment.objects.on(source).exists()
    target.refresh_from_db()
    source.refresh_from_db()
    assert (target.comment_count, source.comment_count) == (3, 0)  # the hidden one is not counted
    comment_type = ContentType.objects.get_for_model(Comment)
    ledger = Contribution.objects.filter(target_type=comment_type, target_id__in=[first.pk, reply.pk])
    assert {row.component_id for row in ledger} == {target.component_id}
    assert on_target.pk in set(moved.values_list("pk", flat=True))
    # The merged proposal's author is told once, of the merge; moving comments tells nobody anything.
    assert Notification.objects.count() == notifications + 1
    assert Notification.objects.filter(recipient=resident, verb="proposals.merged").count() == 1


def test_a_refused_merge_moves_no_comment(pair, agent):
    source, target = pair
    comment_create(author=agent, target=source, body="Reste ici")
    with pytest.raises(proposals.ProposalError):
        proposals.proposals_merge(actor=agent, into=source, proposals=[source])
    assert Comment.objects.on(source).count() == 1


def test_a_comment_moved_twice_keeps_where_it_was_first_written(pair, agent, author, space):
    source, target = pair
    comment_create(author=author, target=source, body="Voyageur")
    third = proposals.proposal_create(author=author, component=target.component, title="Troisième", text="x")
    assert comments_move(source=source, target=target) == 1
    assert comments_move(source=target, target=third) == 1
    comment = Comment.objects.get()
    assert comment.moved_from_title == "Des arbres fruitiers"
    third.refresh_from_db()
    assert third.comment_count == 1


def test_the_target_page_says_where_each_moved_comment_comes_from(client, pair, agent, resident):
    source, target = pair
    comment_create(author=resident, target=source, body="Bonne idée")
    proposals.proposals_merge(actor=agent, into=target, proposals=[source])
    page = client.get(target.get_absolute_url()).content.decode()
    assert "Bonne idée" in page
    assert (f'Déplacé ici depuis <a href="{source.get_absolute_url()}?fusion=non">«\u00a0Des arbres fruitiers'
            f'\u00a0»</a> lors de leur fusion.') in page
