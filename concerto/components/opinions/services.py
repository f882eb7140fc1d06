"""Voting, importing a Polis openData export, and the debounced recomputation of a conversation's groups."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from concerto.components.opinions import maths, opendata
from concerto.components.opinions.models import Conversation, GroupsResult, Statement, Vote

GROUPS_DELAY = timedelta(seconds=30)  # votes within this delay share one recomputation


class VoteRefused(ValueError):
    pass


def participant_key(user) -> str:
    return f"u{user.pk}"


def vote(statement: Statement, user, value: int) -> Vote:
    """USER's vote on STATEMENT (1, -1 or 0); a new vote replaces the previous one. Refused on a statement that is
    not shown (awaiting moderation in a conversation moderated before publication, or rejected)."""
    if value not in (1, -1, 0):
        raise VoteRefused("a vote is 1 (agree), -1 (disagree) or 0 (pass)")
    conversation = statement.conversation
    hidden = statement.status == Statement.Status.REJECTED or (
        statement.status == Statement.Status.PENDING and conversation.moderation == Conversation.Moderation.BEFORE)
    if hidden:
        raise VoteRefused("this statement is not shown")
    result, _created = Vote.objects.update_or_create(
        statement=statement, participant=participant_key(user),
        defaults={"user": user, "value": value, "voted_at": timezone.now()})
    schedule_groups(conversation)
    return result


def schedule_groups(conversation: Conversation) -> bool:
    """Queue a recomputation of the groups GROUPS_DELAY from now, unless one is queued already (the debounce).
    True when one was queued."""
    due = timezone.now() + GROUPS_DELAY
    queued = Conversation.objects.filter(pk=conversation.pk, groups_due_at__isnull=True).update(groups_due_at=due)
    if queued:
        task_ = recompute_groups_task
        if task_.get_backend().supports_defer:  # the immediate backend (tests) runs it at once
            task_ = task_.using(run_after=due)
        transaction.on_commit(lambda: task_.enqueue(conversation.pk))
    return bool(queued)


def vote_matrix(conversation: Conversation):
    """(matrix, participant keys, statement pks, vote counts) of the conversation's shown statements. The counts
    include the votes on statements rejected since, as Polis's vote threshold does."""
    statements = list(conversation.statements.exclude(status=Statement.Status.REJECTED)
                      .order_by("pk").values_list("pk", flat=True))
    rows = list(Vote.objects.filter(statement__conversation=conversation)
                .values_list("participant", "statement_id", "value"))
    counts: dict = {}
    for participant, _statement, _value in rows:
        counts[participant] = counts.get(participant, 0) + 1
    participants = sorted(counts)
    matrix, participants, statements = maths.vote_matrix(rows, participants, statements)
    return matrix, participants, statements, [counts[p] for p in participants]


def recompute_groups(conversation: Conversation) -> GroupsResult:
    Conversation.objects.filter(pk=conversation.pk).update(groups_due_at=None)
    matrix, participants, statements, counts = vote_matrix(conversation)
    fields = {"computed_at": timezone.now(), "votes": sum(counts), "k": 0, "reason": "", "data": {}}
    try:
        result = maths.opinion_groups(matrix, participants, statements, counts)
    except maths.NotEnoughData as reason:
        fields["reason"] = str(reason)[:200]
    else:
        fields["k"] = result.k
        fields["data"] = {
            **maths.as_json(result),
            "coordinates": {p: [round(float(x), 4), round(float(y), 4)]
                            for p, (x, y) in zip(result.participants, result.coordinates, strict=True)},
            "silhouette": round(result.silhouette, 4),
        }
    stored, _created = GroupsResult.objects.update_or_create(conversation=conversation, defaults=fields)
    return stored


@task()
def recompute_groups_task(conversation_id: int) -> None:
    conversation = Conversation.objects.filter(pk=conversation_id).first()
    if conversation is not None:
        recompute_groups(conversation)


POLIS_CREDIT = ("Data gathered using the Polis software (compdemocracy.org/polis), sub-licensed under CC BY 4.0 "
                "with attribution to The Computational Democracy Project.")
STATUS = {"1": Statement.Status.ACCEPTED, "0": Statement.Status.PENDING, "-1": Statement.Status.REJECTED}


@transaction.atomic
def import_polis_export(component, folder: Path) -> Conversation:
    """A conversation in COMPONENT from a Polis openData export (comments.csv, votes.csv, summary.csv if any):
    statements with their moderation, the last vote of each voter on each statement; groups computed at once."""
    import csv

    folder = Path(folder)
    summary = {}
    if (folder / "summary.csv").is_file():
        with (folder / "summary.csv").open(newline="", encoding="utf-8") as handle:
            summary = {row[0]: row[1] for row in csv.reader(handle) if len(row) >= 2}
    conversation = Conversation.objects.create(
        component=component, question=(summary.get("topic") or folder.name)[:300],
        description=summary.get("conversation-description", ""), moderation=Conversation.Moderation.AFTER,
        source=f"{POLIS_CREDIT} {summary.get('url', '')}".strip())
    statements = {}
    with (folder / "comments.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            identifier = int(row["comment-id"])
            statements[identifier] = Statement(conversation=conversation, external_id=identifier,
                                               text=row.get("comment-body", "")[:1000],
                                               status=STATUS.get(row.get("moderated", "0").strip(), "pending"))
    last = {}
    for voter, comment, value in opendata.read_votes(folder / "votes.csv"):
        if comment not in statements:
            statements[comment] = Statement(conversation=conversation, external_id=comment, text="",
                                            status=Statement.Status.PENDING)
        last[(voter, comment)] = value
    Statement.objects.bulk_create(statements.values(), batch_size=1000)
    Vote.objects.bulk_create((Vote(statement=statements[comment], participant=f"polis:{voter}", value=value)
                              for (voter, comment), value in last.items()), batch_size=2000)
    recompute_groups(conversation)
    return conversation
