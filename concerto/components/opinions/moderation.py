"""What agents do to opinion debates (create, change, publish, moderate statements, ask for the groups again),
which debates are public or open, and the figures of each statement per group. Who may take part, voting and
writing a statement are services.py's, for every channel.

The back-office, the API and the chat call these functions; every agent action is written to the audit log.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from concerto.components.opinions.models import Conversation, GroupsResult, Statement, Vote
from concerto.components.opinions.services import STATEMENT_MAX_LENGTH, recompute_groups_task
from concerto.core.audit.services import audit_record

EDITABLE_FIELDS = ("question", "description", "moderation", "audience", "opens_at", "closes_at")
MAX_SEEDS = 100


# Which conversations people see ----------------------------------------------------------------------------

def public_conversations():
    """Published conversations of published components of published spaces."""
    return Conversation.objects.filter(published_at__isnull=False, component__published=True,
                                       component__space__status="published")


def open_conversations(now=None):
    now = now or timezone.now()
    return public_conversations().filter(opens_at__lte=now).filter(Q(closes_at__isnull=True) | Q(closes_at__gt=now))


def is_open(conversation: Conversation, now=None) -> bool:
    """Whether CONVERSATION takes votes now (from whoever may take part: services.participation_refusal)."""
    return conversation.is_published and conversation.is_open(now)


# Agents' actions ---------------------------------------------------------------------------------------------

def _lines(texts) -> list[str]:
    lines = [" ".join(str(text).split()) for text in texts]
    return list(dict.fromkeys(line for line in lines if line))


def _seeds_check(seeds: list[str], errors: dict) -> None:
    if len(seeds) > MAX_SEEDS:
        errors["seeds"] = _("%(max)s statements at most at once.") % {"max": MAX_SEEDS}
    long = [seed for seed in seeds if len(seed) > STATEMENT_MAX_LENGTH]
    if long:
        errors["seeds"] = _("Each statement takes at most %(max)s characters; this one has %(count)s: "
                            "“%(start)s…”") % {"max": STATEMENT_MAX_LENGTH, "count": len(long[0]),
                                              "start": long[0][:40]}


def _checked(conversation: Conversation, seeds) -> list[str]:
    """The SEEDS' lines, once CONVERSATION and they are found right; a ValidationError by field otherwise."""
    errors: dict = {}
    seeds = _lines(seeds)
    _seeds_check(seeds, errors)
    conversation.question = " ".join(conversation.question.split())
    if not conversation.question:
        errors["question"] = _("Write the question.")
    if conversation.closes_at is not None and conversation.opens_at is not None \
            and conversation.closes_at <= conversation.opens_at:
        errors["closes_at"] = _("The debate must close after it opens.")
    if errors:
        raise ValidationError(errors)
    return seeds


def _seeds_add(conversation: Conversation, seeds: list[str], actor) -> None:
    known = {text.casefold() for text in conversation.statements.values_list("text", flat=True)}
    Statement.objects.bulk_create([
        Statement(conversation=conversation, text=seed, status=Statement.Status.ACCEPTED, seed=True,
                  author=actor if getattr(actor, "is_authenticated", False) else None)
        for seed in seeds if seed.casefold() not in known])


@transaction.atomic
def conversation_create(*, actor, component, seeds=(), publish: bool = False, **fields) -> Conversation:
    """A conversation in COMPONENT (an opinions component) with its SEEDS (statements written by the agents,
    accepted at once); published with PUBLISH."""
    if component.kind != "opinions":
        raise ValueError("A debate belongs to an opinions component")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"conversation_create() does not take {', '.join(sorted(unknown))}")
    conversation = Conversation(component=component, **fields)
    seeds = _checked(conversation, seeds)
    conversation.save()
    _seeds_add(conversation, seeds, actor)
    audit_record(actor=actor, action="opinions.conversation_created", target=conversation,
                 data={"seeds": len(seeds)})
    if publish:
        conversation_publish(actor=actor, conversation=conversation)
    return conversation


@transaction.atomic
def conversation_update(*, actor, conversation: Conversation, seeds=(), **changes) -> Conversation:
    """Change CONVERSATION; SEEDS are added to its statements (those it holds already are skipped)."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"conversation_update() cannot change {', '.join(sorted(unknown))}")
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    changed = [name for name, value in changes.items() if getattr(conversation, name) != value]
    for name, value in changes.items():
        setattr(conversation, name, value)
    seeds = _checked(conversation, seeds)
    conversation.save()
    if seeds:
        _seeds_add(conversation, seeds, actor)
        changed.append("seeds")
    if changed:
        audit_record(actor=actor, action="opinions.conversation_updated", target=conversation,
                     data={"fields": changed})
    return conversation


@transaction.atomic
def conversation_publish(*, actor, conversation: Conversation) -> Conversation:
    if conversation.published_at is None:
        conversation.published_at = timezone.now()
        conversation.save(update_fields=["published_at"])
        audit_record(actor=actor, action="opinions.conversation_published", target=conversation)
    return conversation


REASON_MAX_LENGTH = 500


@transaction.atomic
def statements_moderate(*, actor, conversation: Conversation, statement_ids, accept: bool, reason: str = "") -> int:
    """Accept or reject the statements STATEMENT_IDS of CONVERSATION (ids of other conversations are ignored);
    the REASON of a rejection goes to the audit log. How many changed."""
    reason = " ".join(reason.split())
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": ngettext(
            "The reason has %(count)s character; %(max)s at most.",
            "The reason has %(count)s characters; %(max)s at most.", len(reason))
            % {"count": len(reason), "max": REASON_MAX_LENGTH}})
    status = Statement.Status.ACCEPTED if accept else Statement.Status.REJECTED
    statements = list(conversation.statements.select_for_update().filter(pk__in=list(statement_ids))
                      .exclude(status=status))
    action = "opinions.statement_accepted" if accept else "opinions.statement_rejected"
    for statement in statements:
        statement.status = status
        audit_record(actor=actor, action=action, target=statement, organisation=conversation.organisation,
                     data={"conversation": conversation.pk, **({"reason": reason} if reason and not accept else {})})
    Statement.objects.bulk_update(statements, ["status"])
    if statements and Vote.objects.filter(statement__in=statements).exists():
        # The groups change with the statements they count: a rejected one leaves the matrix.
        from concerto.components.opinions.services import schedule_groups

        schedule_groups(conversation)
    return len(statements)


def groups_recompute_now(*, actor, conversation: Conversation) -> None:
    """Queue the computation of CONVERSATION's groups at once (the task worker does it, never the request)."""
    audit_record(actor=actor, action="opinions.groups_recompute", target=conversation)
    transaction.on_commit(lambda: recompute_groups_task.enqueue(conversation.pk))


# Figures --------------------------------------------------------------------------------------------------

def groups_of(conversation: Conversation) -> GroupsResult | None:
    return GroupsResult.objects.filter(conversation=conversation).first()


def statement_figures(conversation: Conversation, statements=None) -> list[dict]:
    """Per statement (of STATEMENTS, all the conversation's by default): its agree / disagree / pass counts, in
    total and in each opinion group of the stored result ("groups": {group: {"agree", "disagree", "pass"}})."""
    statements = list(statements if statements is not None else conversation.statements.all())
    result = groups_of(conversation)
    membership = (result.data.get("groups") or {}) if result is not None else {}
    k = result.k if result is not None else 0
    counts: dict = {}
    for statement_id, participant, value in Vote.objects.filter(statement__in=statements).values_list(
            "statement_id", "participant", "value"):
        figures = counts.setdefault(statement_id, {"total": [0, 0, 0], "groups": {}})
        column = {1: 0, -1: 1, 0: 2}[value]
        figures["total"][column] += 1
        group = membership.get(participant)
        if group is not None:
            figures["groups"].setdefault(int(group), [0, 0, 0])[column] += 1
    rows = []
    for statement in statements:
        figures = counts.get(statement.pk, {"total": [0, 0, 0], "groups": {}})
        agree, disagree, passed = figures["total"]
        rows.append({"statement": statement, "agree": agree, "disagree": disagree, "pass": passed,
                     "votes": agree + disagree + passed,
                     "groups": [dict(zip(("agree", "disagree", "pass"), figures["groups"].get(group, [0, 0, 0]),
                                         strict=True)) for group in range(k)]})
    return rows


def vote_counts(conversation: Conversation) -> dict:
    """Statement id -> number of votes, for the conversation's statements."""
    return dict(conversation.statements.annotate(n=Count("votes")).values_list("pk", "n"))


def pending_counts(conversations) -> dict:
    """Conversation id -> statements awaiting moderation."""
    return dict(Statement.objects.filter(conversation__in=conversations, status=Statement.Status.PENDING)
                .values_list("conversation").annotate(n=Count("pk")).values_list("conversation", "n"))


def participant_count(conversation: Conversation) -> int:
    return Vote.objects.filter(statement__conversation=conversation).values("participant").distinct().count()


def group_sizes(result: GroupsResult) -> list[int]:
    sizes = [0] * result.k
    for group in (result.data.get("groups") or {}).values():
        sizes[int(group)] += 1
    return sizes
