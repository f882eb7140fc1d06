"""RGPD: votes and stances on comments in the data export, and what erasing an account leaves."""

import pytest

from concerto.core.accounts.services import account_delete, account_export
from concerto.core.participation.models import Comment, CommentVote, Contribution
from concerto.core.participation.services import comment_create, comment_vote

pytestmark = pytest.mark.django_db


def test_erasing_an_account_removes_its_votes_and_anonymises_its_comments(
        with_stances, resident, neighbour, post):
    mine = comment_create(author=resident, target=post, body="Je suis pour.", stance="for")
    theirs = comment_create(author=neighbour, target=post, body="Moi aussi.")
    comment_vote(user=resident, comment=theirs, value=1)
    comment_vote(user=neighbour, comment=mine, value=-1)

    account_delete(user=resident)

    assert list(CommentVote.objects.values_list("comment_id", "value")) == [(mine.pk, -1)]
    mine.refresh_from_db()
    assert mine.author is None and mine.stance == "for"  # the public debate keeps its content, unsigned
    ledger = Contribution.objects.get(target_id=mine.pk, kind="participation.comment")
    assert ledger.author is None


def test_the_export_holds_the_persons_votes_and_stances(with_stances, resident, neighbour, post):
    mine = comment_create(author=resident, target=post, body="Je suis pour.", stance="for")
    theirs = comment_create(author=neighbour, target=post, body="Moi aussi.")
    reply = comment_create(author=resident, target=post, body="Merci.", parent=theirs)
    comment_vote(user=resident, comment=theirs, value=-1)

    data = account_export(user=resident)

    comments = {entry["body"]: entry for entry in data["comments"]}
    assert comments["Je suis pour."]["stance"] == "for" and comments["Je suis pour."]["reply_to"] is None
    assert comments["Merci."]["reply_to"] == theirs.pk and comments["Merci."]["stance"] is None
    assert [(vote["comment"], vote["value"]) for vote in data["comment_votes"]] == [(theirs.pk, -1)]
    assert Comment.objects.filter(pk__in=[mine.pk, reply.pk]).count() == 2
