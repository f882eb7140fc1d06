"""Voting, importing a Polis openData export, and the debounced recomputation of a conversation's groups."""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_tasks import task

from concerto.components.opinions import maths, opendata
from concerto.components.opinions.models import Conversation, GroupsResult, Statement, Vote
from concerto.core.accounts.verification import action_refusal, residence_refusal, safe_next
from concerto.core.participation.models import Channel
from concerto.core.participation.services import contribution_record
from concerto.core.ratelimit import send_limited
from concerto.core.texts import similar as similar_texts
from concerto.core.texts.analysis import strip_accents, terms

GROUPS_DELAY = timedelta(seconds=30)  # votes within this delay share one recomputation


class VoteRefused(ValueError):
    """A vote or a statement refused: MESSAGE says why in the person's language, URL (if any) what to do, CODE
    what the API answers: "closed", "not_open", "sign_in", "no_session", "hidden_statement", "invalid"."""

    def __init__(self, message: str = "", *, url: str = "", code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.url = url
        self.code = code

    def __str__(self) -> str:
        return self.message


STATEMENT_MAX_LENGTH = 280  # as Polis: a statement is one short idea
ANONYMOUS_PREFIX = "s"  # an anonymous participant's key: "s" + the random key kept in their session


def participant_key(user, session_key: str = "") -> str:
    """Who votes, as the groups know them: "u<user id>" for a signed-in person, else "s<SESSION_KEY>" (the random
    key an anonymous participant's session keeps, see views.participant_of); "" when there is neither."""
    if getattr(user, "is_authenticated", False):
        return f"u{user.pk}"
    return f"{ANONYMOUS_PREFIX}{session_key}" if session_key else ""


def participation_refusal(conversation: Conversation, user, *, action: str = "vote", next_url: str = "",
                          anonymous: bool = True):
    """Why USER may not vote on (ACTION "vote") or write statements in (ACTION "write_statement") CONVERSATION
    now, or None when they may: not published, not open yet or closed, an account needed, a verified residence
    needed (the conversation's audience, or the space reserving ACTION to verified residents). The one rule of
    the pages, the API and the chat. ANONYMOUS says whether the caller can take part without an account: the
    pages can (a random key in the session), the API and the chat cannot (no session: an API client acts for
    the person of its token, a chat must be linked to an account), so a debate open to anyone asks them to
    sign in. A VoteRefused (with its `code`) or the kernel's VerificationRequired, both with `message` and
    `url`."""
    now = timezone.now()
    if conversation.is_closed(now):
        return VoteRefused(_("This debate is closed: you can read it and its results, not vote any more."),
                           code="closed")
    if not conversation.is_published:
        return VoteRefused(_("This debate is not open."), code="not_open")
    if conversation.opens_at > now:
        return VoteRefused(_("This debate opens on %(date)s.") % {
            "date": date_format(timezone.localtime(conversation.opens_at), "j F Y")}, code="not_open")
    space = conversation.component.space
    if conversation.audience == Conversation.Audience.VERIFIED:
        return residence_refusal(user=user, space=space, next_url=next_url)
    if (conversation.audience == Conversation.Audience.ACCOUNT or not anonymous) \
            and not getattr(user, "is_authenticated", False):
        login = reverse("account_login")
        next_url = safe_next(next_url)
        return VoteRefused(_("Sign in to take part in this debate: it takes an account, nothing else."),
                           url=f"{login}?{urlencode({'next': next_url})}" if next_url else login, code="sign_in")
    return action_refusal(user=user, component=conversation.component, action=action, next_url=next_url)


def refusal_code(refusal) -> str:
    """The API's code of a refusal of participation_refusal: a VoteRefused's own, "verification_required" for
    the kernel's VerificationRequired."""
    return getattr(refusal, "code", "verification_required")


def _participant(conversation, user, session_key: str, action: str, anonymous: bool) -> str:
    refusal = participation_refusal(conversation, user, action=action, anonymous=anonymous)
    if refusal is not None:
        raise refusal
    participant = participant_key(user, session_key)
    if not participant:
        raise VoteRefused(_("Your browser must accept cookies for you to take part without an account."),
                          code="no_session")
    return participant


def vote(statement: Statement, user, value: int, *, session_key: str = "", anonymous: bool = True,
         channel: str = Channel.WEB) -> Vote:
    """USER's vote on STATEMENT (1 agree, -1 disagree, 0 pass); without an account, under the anonymous SESSION_KEY
    (see participant_key). A new vote replaces the previous one (the last counts, as in Polis); the first one is
    written to the contributions ledger. Refused (VoteRefused, VerificationRequired) on a statement that is not
    shown, in a conversation that is not open, or for someone its rules leave out (participation_refusal, with
    ANONYMOUS)."""
    try:
        value = int(value)
    except (TypeError, ValueError):
        value = None
    if value not in (1, -1, 0):
        raise VoteRefused(_("Choose agree, disagree or pass."), code="invalid")
    conversation = statement.conversation
    if not statement.is_shown:
        raise VoteRefused(_("This statement is not shown: it is awaiting moderation or was set aside."),
                          code="hidden_statement")
    participant = _participant(conversation, user, session_key, "vote", anonymous)
    author = user if getattr(user, "is_authenticated", False) else None
    with transaction.atomic():
        result, created = Vote.objects.update_or_create(
            statement=statement, participant=participant,
            defaults={"user": author, "value": value, "voted_at": timezone.now()})
        if created:
            contribution_record(kind="opinions.vote", target=result, component=conversation.component,
                                author=author, channel=channel)
    schedule_groups(conversation)
    return result


def normalised(text: str) -> str:
    """TEXT as two statements are compared: lower case, no accents, only its words and numbers, single spaces."""
    return " ".join(re.findall(r"\w+", strip_accents((text or "").lower())))


def statement_clean(conversation: Conversation, text: str) -> str:
    """TEXT with its spaces tidied, or ValidationError (keyed "text"): empty, too long, or the same as a statement
    of the conversation once case, accents and punctuation are set aside."""
    text = " ".join((text or "").split())
    if not text:
        raise ValidationError({"text": _("Write your statement.")})
    if len(text) > STATEMENT_MAX_LENGTH:
        raise ValidationError({"text": _("A statement is %(max)s characters at most (yours has %(count)s): keep "
                                         "one idea.") % {"max": STATEMENT_MAX_LENGTH, "count": len(text)}})
    wanted = normalised(text)
    for existing in conversation.statements.exclude(status=Statement.Status.REJECTED).values_list("text", flat=True):
        if normalised(existing) == wanted:
            raise ValidationError({"text": _("This statement is already in the debate: vote on it instead.")})
    return text


SIMILAR_LIMIT = 5


def _similar_scope(conversation: Conversation) -> similar_texts.Scope:
    """The conversation's shown statements as a scope of the similar-ideas engine ("opinions:<pk>"). A statement
    is its own title: the scope reads it as the title (counted twice) and an empty body."""
    shown = conversation.shown_statements().annotate(no_body=Value("", output_field=CharField()))
    return similar_texts.queryset_scope(f"opinions:{conversation.pk}", shown, title="text", body="no_body",
                                        changed="created_at")


def similar_statements(conversation: Conversation, text: str, *, limit: int = SIMILAR_LIMIT,
                       threshold: float = similar_texts.RESIDENT_THRESHOLD) -> list[Statement]:
    """Up to LIMIT of CONVERSATION's shown statements closest to TEXT (the kernel's similar-ideas engine, one
    scope per conversation: French stems, no accents nor function words), the closest first, each with its
    `similarity` (0 to 1). Statements awaiting moderation (unless shown) and rejected ones are never given."""
    return similar_texts.suggestions(_similar_scope(conversation), conversation.shown_statements(), text,
                                     limit=limit, threshold=threshold)


def _known_share(index, text: str) -> float:
    """How much of TEXT's TF-IDF vector the scope's vocabulary holds (its norm's share, 0 to 1). The engine reads
    a text through the words the scope knows: « un marché couvert » is, for it, « marché », as close to « le
    marché doit rester sur la place » as a paraphrase would be. A word no statement uses weighs as the rarest
    known word (an unseen word's idf is about that)."""
    counts = Counter(terms(text))
    if index is None or index.vectoriser is None or not counts:
        return 0.0
    vocabulary, idf = index.vectoriser.vocabulary_, index.vectoriser.idf_
    unseen = float(idf.max())
    known = total = 0.0
    for word, count in counts.items():
        column = vocabulary.get(word)
        weight = ((1 + math.log(count)) * (unseen if column is None else float(idf[column]))) ** 2
        total += weight
        known += 0.0 if column is None else weight
    return math.sqrt(known / total)


def near_duplicates(conversation: Conversation, text: str) -> list[Statement]:
    """CONVERSATION's shown statements that say nearly what TEXT says: the engine's similarity, scaled by the
    share of TEXT's words the statements use (`_known_share`), reaches the kernel's DUPLICATE_THRESHOLD (0.45);
    each with its `similarity` (the engine's, as shown everywhere)."""
    found = similar_statements(conversation, text, threshold=similar_texts.DUPLICATE_THRESHOLD)
    if not found:
        return []
    share = _known_share(similar_texts.current(_similar_scope(conversation)), text)
    return [statement for statement in found
            if statement.similarity * share >= similar_texts.DUPLICATE_THRESHOLD - 1e-6]


class SimilarStatements(Exception):
    """A statement close to statements already shown (`near_duplicates`): STATEMENTS,
    the closest first, each with its `similarity`. Nothing was written: sent again with `confirmed`, it is."""

    def __init__(self, statements: list[Statement]):
        self.message = _("Your statement looks like statements already in the debate. Vote on them instead, or "
                         "send yours anyway if it says something else.")
        super().__init__(self.message)
        self.statements = statements

    def __str__(self) -> str:
        return self.message


@send_limited("statement")
def write_statement(conversation: Conversation, user, text: str, *, session_key: str = "", confirmed: bool = False,
                    anonymous: bool = True, channel: str = Channel.WEB) -> Statement:
    """A participant's statement, awaiting moderation: shown at once when the conversation publishes before
    moderation, after an agent accepts it otherwise. Its author agrees with it (their vote, as in Polis, when it is
    shown). Raises VoteRefused / VerificationRequired (see participation_refusal, ANONYMOUS as there),
    ValidationError (`text`: empty, too long, the same as a statement once case, accents and punctuation are set
    aside) or, unless CONFIRMED, SimilarStatements when shown statements say nearly the same thing (the engine
    cannot tell « ne pas piétonniser » from « piétonniser »: the person decides)."""
    participant = _participant(conversation, user, session_key, "write_statement", anonymous)
    text = statement_clean(conversation, text)
    if not confirmed:
        near = near_duplicates(conversation, text)
        if near:
            raise SimilarStatements(near)
    author = user if getattr(user, "is_authenticated", False) else None
    with transaction.atomic():
        statement = Statement.objects.create(conversation=conversation, text=text, author=author)
        contribution_record(kind="opinions.statement", target=statement, component=conversation.component,
                            author=author, channel=channel)
        if statement.is_shown:
            Vote.objects.create(statement=statement, participant=participant, user=author, value=Vote.Value.AGREE)
    if statement.is_shown:
        schedule_groups(conversation)
    return statement


def votes_of(conversation: Conversation, participant: str) -> dict:
    """{statement pk: value} of PARTICIPANT's votes in CONVERSATION."""
    if not participant:
        return {}
    return dict(Vote.objects.filter(statement__conversation=conversation, participant=participant)
                .values_list("statement_id", "value"))


def statement_stats(conversation: Conversation, groups: dict | None = None) -> dict:
    """Per statement pk: {"agree", "disagree", "pass", "seen"} over everyone, and "groups": {group: the same counts
    among the group's participants} for GROUPS ({participant: group}, the last computation's)."""
    groups = groups or {}
    stats: dict = {}
    empty = {"agree": 0, "disagree": 0, "pass": 0, "seen": 0}
    names = {1: "agree", -1: "disagree", 0: "pass"}
    rows = Vote.objects.filter(statement__conversation=conversation).values_list("statement_id", "participant",
                                                                                 "value")
    for statement, participant, value in rows.iterator(chunk_size=5000):
        entry = stats.setdefault(statement, {**empty, "groups": {}})
        entry[names[value]] += 1
        entry["seen"] += 1
        group = groups.get(participant)
        if group is not None:
            in_group = entry["groups"].setdefault(group, dict(empty))
            in_group[names[value]] += 1
            in_group["seen"] += 1
    return stats


def divisiveness(entry: dict, k: int) -> float:
    """How much the K groups differ on a statement: the largest gap between two groups' shares of agreement, each
    P(agree | group) = (agrees + 1) / (seen + 2) as in Polis (0 without groups)."""
    if k < 2:
        return 0.0
    shares = [(g["agree"] + 1) / (g["seen"] + 2) for g in (entry.get("groups", {}).get(group, {"agree": 0, "seen": 0})
                                                          for group in range(k))]
    return max(shares) - min(shares)


def next_statement(conversation: Conversation, participant: str, *, rng: random.Random | None = None):
    """The next statement to show PARTICIPANT, chosen as Polis does (its `priority-metric`): among the shown
    statements they have not voted on, one drawn at random with the weight

        priority = (importance × (1 + 8 × 2^(−S / 5)))²,   importance = (1 − P) × (D + 1) × A

    where S is how many people voted on it, A = (agrees + 1) / (S + 2) and P = (passes + 1) / (S + 2) its shares
    of agreement and of passes (with Polis's pseudo-counts), and D its divisiveness between the current groups
    (the largest gap between two groups' shares of agreement, 0 while there are no groups; Polis takes the
    statement's extremity on the map, our groups carry the same signal). The novelty factor gives a statement
    nobody voted on 81 times the weight it will have once well voted (a new statement facing one that 40 people
    all agreed with is drawn about 9 times in 10): new statements are seen quickly; among the well-voted ones,
    those that split the groups and those people take a side on (few passes) come first. Without RNG (a
    random.Random, for tests) the draw is seeded by the participant and their number of votes: the same
    statement comes back until they vote (a page reloaded, a chat message that is not a vote). The pages, the
    chat and any other channel take the next statement from here. None when nothing is left."""
    voted = set(votes_of(conversation, participant))
    candidates = [statement for statement in conversation.shown_statements() if statement.pk not in voted]
    if not candidates:
        return None
    result = GroupsResult.objects.filter(conversation=conversation).first()
    k = result.k if result is not None else 0
    stats = statement_stats(conversation, (result.data.get("groups") if result is not None and k else None))
    weights = []
    for statement in candidates:
        entry = stats.get(statement.pk, {"agree": 0, "pass": 0, "seen": 0})
        seen = entry["seen"]
        agree, passes = (entry["agree"] + 1) / (seen + 2), (entry["pass"] + 1) / (seen + 2)
        importance = (1 - passes) * (divisiveness(entry, k) + 1) * agree
        weights.append((importance * (1 + 8 * 2 ** (-seen / 5))) ** 2)
    rng = rng or random.Random(f"{participant}:{len(voted)}")
    return rng.choices(candidates, weights=weights)[0]


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
