"""Ballots: casting, changing and withdrawing them (web, API, paper). The double entry of paper sheets is in
paper.py.

One ballot per person per budget. The person is `Ballot.voter_key`: the salted hash of their identity when
they were verified (the same hash an agent computes from a paper sheet, so an online ballot and a paper one
by the same person collide), `user:<id>` otherwise. The unique constraint (budget, voter_key) is the only
guarantee needed: a first ballot is an INSERT inside a savepoint; when two requests race, the loser gets an
IntegrityError, then locks the winner's row (SELECT ... FOR UPDATE) and replaces its choices. A changed
ballot is rewritten whole under that row lock, so its choices always come from one single request. No
counter row is updated by a vote: the results are counted from the ballots.

Audit: ballots are NOT written to the audit log. A city-wide vote makes hundreds of thousands of them and
the log would mostly repeat the ballots table; the ballot row keeps its channel and dates, and the
contributions ledger records it once. What agents do on paper sheets (keying, deciding a mismatch) is
audited (paper.py), because it is an agent acting on someone else's vote.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from concerto.components.budgets.models import Ballot, BallotChoice, Budget, Project
from concerto.core import french
from concerto.core.accounts import verification as verifications
from concerto.core.accounts.models import Verification
from concerto.core.participation.models import Channel
from concerto.core.participation.services import contribution_record, contribution_remove
from concerto.core.territory.models import Organisation

KIND = "budgets"
CONTRIBUTION_KIND = "budgets.ballot"
# The largest number of projects one ballot may name: far above any real ballot, it keeps a malicious
# request from making the server look up thousands of ids.
MAX_CHOICES = 500
MAX_POINTS = 32767

# Refusals about who may vote now (HTTP 403), and about a person who already voted (409); anything else
# is about the ballot's content (422).
ACCESS_CODES = {"sign_in", "closed", "not_published", "unverified", "too_young", "age_unknown"}
CONFLICT_CODES = {"already_voted"}


class BallotError(Exception):
    """A ballot refused, with the reason in the voter's language and a short code for the API."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.message = message
        self.code = code

    @property
    def status(self) -> int:
        if self.code in ACCESS_CODES:
            return 403
        if self.code in CONFLICT_CODES:
            return 409
        return 422


def euros(amount: int) -> str:
    return french.euros(amount, cents=False)


def points_text(points: int) -> str:
    return ngettext("%(count)s point", "%(count)s points", points) % {"count": points}


def ballot_box_queryset():
    """Budgets with what casting a ballot reads, and nothing more (it runs on every ballot: an organisation's
    boundary, for one, can weigh hundreds of kilobytes)."""
    from django.db.models import Prefetch

    from concerto.core.spaces.models import Step

    organisation = ("id", "kind", "name", "slug", "parent_id")
    return (Budget.objects.select_related("component__space__organisation", "scope")
            .only("name", "amount", "ballot_kind", "max_choices", "min_share", "points", "max_points_per_project",
                  "ballot_published_at", "rule", "component__kind", "component__settings", "component__step_settings",
                  "component__published", "component__title", "component__space__status",
                  "component__space__slug", "component__space__title",
                  *(f"scope__{name}" for name in organisation),
                  *(f"component__space__organisation__{name}" for name in organisation))
            .prefetch_related(Prefetch("component__space__steps",
                                       queryset=Step.objects.only("id", "space_id", "start_date", "end_date"))))


# The ballot box, cached: what every ballot of a budget reads (the budget, its component's settings, its space's
# steps, the projects' costs) is the same for all of them. On PostgreSQL each process keeps it for
# CONCERTO_BALLOT_BOX_SECONDS with its stamp (a fingerprint computed by the database, read BEFORE the facts, so a
# change in between makes the stamp old, never the facts newer than it); the fast path's single statement checks
# the stamp and the chosen projects again, so a stale cache never lets a ballot in, it only sends it down the
# Python path with fresh facts.
_BALLOT_BOXES: dict[int, tuple[float, Budget]] = {}


def _public_ballot_box(budget_id: int) -> Budget | None:
    return (ballot_box_queryset()
            .filter(pk=budget_id, component__kind=KIND, component__published=True,
                    component__space__status="published").first())


def ballot_box(budget_id: int) -> Budget | None:
    """The published budget BUDGET_ID as ballots are cast in it (None if there is none), cached on PostgreSQL."""
    if connection.vendor != "postgresql":
        return _public_ballot_box(budget_id)
    now = time.monotonic()
    cached = _BALLOT_BOXES.get(budget_id)
    if cached is not None and now - cached[0] < settings.CONCERTO_BALLOT_BOX_SECONDS:
        return cached[1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT budgets_ballot_box_stamp(%s)", [budget_id])
        stamp = cursor.fetchone()[0]
    budget = _public_ballot_box(budget_id)
    if budget is None:
        _BALLOT_BOXES.pop(budget_id, None)
        return None
    budget.ballot_box_stamp = stamp
    budget.ballot_costs = dict(ballot_projects(budget).order_by().values_list("pk", "final_cost"))
    _BALLOT_BOXES[budget_id] = (now, budget)
    return budget


def ballot_box_forget(**_signal) -> None:
    """Drop this process's cached ballot boxes (a budget, project, component, step or space was saved)."""
    _BALLOT_BOXES.clear()


# Who may vote ----------------------------------------------------------------------------------------------

@dataclass
class Voter:
    """Who a web ballot belongs to: the key that makes them one person, and their commune."""

    key: str
    commune_id: int | None
    verification: object | None


def age_on(birth_date, day) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def _verification(user, area):
    """verification_for(user, area) in one query when AREA is a commune (no organisation below it): this runs
    on every ballot."""
    if area.is_commune:
        return (Verification.objects.filter(user=user, organisation=area, revoked_at__isnull=True)
                .only("id", "organisation_id", "identity_hash", "birth_date").order_by("-created_at").first())
    return verifications.verification_for(user=user, organisation=area)


def voter_for(*, user, budget: Budget) -> Voter:
    """Raise BallotError when USER may not vote in BUDGET as a person (signed in, verified, old enough);
    else who they are for the ballot box."""
    if user is None or not user.is_authenticated:
        raise BallotError(_("Sign in to vote."), code="sign_in")
    component = budget.component
    verification = _verification(user, budget.voters_area)
    if verification is None and component.setting("vote_requires_verification"):
        raise BallotError(
            _("Only verified residents of %(area)s can vote. Verify your residence first: it takes a few "
              "minutes.") % {"area": budget.voters_area.name}, code="unverified")
    if verification is not None:
        # A space of several communes: only the residents of the communes it covers vote.
        outside = verifications.scope_refusal(user=user, space=component.space)
        if outside is not None:
            raise BallotError(outside.message, code="outside_scope")
    minimum_age = component.setting("minimum_age")
    if minimum_age:
        if verification is None or verification.birth_date is None:
            raise BallotError(
                _("You must be at least %(age)s to vote. Verify your residence with your date of birth so "
                  "that we can check your age.") % {"age": minimum_age}, code="age_unknown")
        if age_on(verification.birth_date, timezone.localdate()) < minimum_age:
            raise BallotError(_("You must be at least %(age)s to vote in this participatory budget.")
                              % {"age": minimum_age}, code="too_young")
    key = (verification.identity_hash if verification is not None and verification.identity_hash
           else f"user:{user.pk}")
    commune_id = verification.organisation_id if verification is not None else user.residence_id
    return Voter(key=key, commune_id=commune_id, verification=verification)


def ballot_box_refusal(*, budget: Budget) -> BallotError | None:
    """Why nobody can vote in BUDGET now (None when the vote is open)."""
    if budget.component.kind != KIND:
        raise ValueError("This is not a budgets component")
    window = budget.component.window("voting_open")
    if not window.open:
        closed = _("The vote is closed.")
        return BallotError(f"{closed} {window.message}".strip(), code="closed")
    if budget.ballot_published_at is None:
        return BallotError(_("The list of projects put to the vote is not published yet."), code="not_published")
    return None


def ballot_refusal(*, user, budget: Budget) -> BallotError | None:
    """Why USER cannot vote in BUDGET now, or None (for the pages: they explain before the form)."""
    refusal = ballot_box_refusal(budget=budget)
    if refusal is not None:
        return refusal
    try:
        voter_for(user=user, budget=budget)
    except BallotError as error:
        return error
    return None


# What a ballot may contain ----------------------------------------------------------------------------------

def normalise_choices(choices) -> dict[int, int]:
    """{project id: points} from a list of ids or a mapping; zero points are left out. Raises BallotError
    on anything that is not whole numbers."""
    if choices is None:
        choices = []
    if isinstance(choices, dict):
        items = list(choices.items())
    elif isinstance(choices, (list, tuple, set)):
        items = [(project_id, 1) for project_id in choices]
    else:
        raise BallotError(_("The choices are not valid."), code="invalid")
    if len(items) > MAX_CHOICES:
        raise BallotError(_("This ballot names too many projects."), code="invalid")
    result: dict[int, int] = {}
    for raw_id, raw_points in items:
        try:
            project_id = int(raw_id)
            points = int(raw_points)
        except (TypeError, ValueError):
            raise BallotError(_("The choices are not valid: projects and points are whole numbers."),
                              code="invalid") from None
        if isinstance(raw_points, float) and raw_points != points:
            raise BallotError(_("Points are whole numbers."), code="invalid")
        if points < 0 or points > MAX_POINTS:
            raise BallotError(_("Points cannot be negative."), code="invalid")
        if project_id in result and isinstance(choices, (list, tuple)):
            raise BallotError(_("A project is chosen twice."), code="invalid")
        if points:
            result[project_id] = points
    return result


def ballot_projects(budget: Budget):
    """The projects on BUDGET's ballot, in ballot order."""
    return (Project.objects.on_ballot().filter(budget=budget, withdrawn_at__isnull=True)
            .order_by("ballot_number", "title", "pk"))


def _unknown_project(budget: Budget, project_id: int) -> BallotError:
    project = Project.objects.filter(pk=project_id).only("title", "budget_id").first()
    if project is None:
        return BallotError(_("Project number %(id)s does not exist.") % {"id": project_id}, code="unknown_project")
    if project.budget_id != budget.pk:
        return BallotError(_("The project “%(title)s” is not part of this budget.") % {"title": project.title},
                           code="other_budget")
    return BallotError(_("The project “%(title)s” is not put to the vote.") % {"title": project.title},
                       code="not_on_ballot")


def ballot_check(*, budget: Budget, choices) -> dict[int, int]:
    """The ballot's choices as {project id: points}, checked against BUDGET's rules; raises BallotError."""
    chosen = normalise_choices(choices)
    if not chosen:
        raise BallotError(_("Your ballot is empty: choose at least one project."), code="empty")
    cached = getattr(budget, "ballot_costs", None)
    if cached is not None:
        costs = {project_id: cached[project_id] for project_id in chosen if project_id in cached}
    else:
        costs = dict(ballot_projects(budget).filter(pk__in=list(chosen)).order_by()
                     .values_list("pk", "final_cost"))
    for project_id in chosen:
        if project_id not in costs:
            raise _unknown_project(budget, project_id)
    kind = budget.ballot_kind
    if kind in (Budget.BallotKind.APPROVAL, Budget.BallotKind.KNAPSACK):
        if any(points != 1 for points in chosen.values()):
            raise BallotError(_("On this ballot a project is chosen or not: it takes no points."), code="invalid")
    if kind == Budget.BallotKind.APPROVAL and budget.max_choices and len(chosen) > budget.max_choices:
        # COUNT is above MAX, so at least 2: one plural form fits every case.
        raise BallotError(_("You chose %(count)s projects, more than the limit of %(max)s. Remove some to vote.")
                          % {"max": budget.max_choices, "count": len(chosen)}, code="too_many")
    if kind == Budget.BallotKind.KNAPSACK:
        total = sum(costs[project_id] for project_id in chosen)
        if total > budget.amount:
            raise BallotError(_("Your projects cost %(total)s in all, more than the budget of %(amount)s. Remove "
                                "a project to stay within the budget.")
                              % {"total": euros(total), "amount": euros(budget.amount)}, code="over_budget")
        if budget.min_share and total * 100 < budget.min_share * budget.amount:
            minimum = -(-budget.min_share * budget.amount // 100)
            raise BallotError(_("Your projects cost %(total)s in all: choose projects worth at least %(minimum)s "
                                "(%(share)s %% of the budget).")
                              % {"total": euros(total), "minimum": euros(minimum), "share": budget.min_share},
                              code="under_min_share")
    if kind == Budget.BallotKind.CUMULATIVE:
        spent = sum(chosen.values())
        if spent > budget.points:
            raise BallotError(_("You gave %(spent)s in all, more than the %(points)s you have.")
                              % {"spent": points_text(spent), "points": points_text(budget.points)},
                              code="over_points")
        cap = budget.max_points_per_project
        if cap and any(points > cap for points in chosen.values()):
            raise BallotError(_("A project can receive %(cap)s at most.") % {"cap": points_text(cap)},
                              code="over_cap")
    return chosen


# Casting -------------------------------------------------------------------------------------------------------

def _write_choices(ballot: Ballot, chosen: dict[int, int], *, replace: bool) -> None:
    if replace:
        BallotChoice.objects.filter(ballot=ballot).delete()
    BallotChoice.objects.bulk_create(
        [BallotChoice(ballot=ballot, project_id=project_id, points=points) for project_id, points in chosen.items()])


def _insert(*, budget: Budget, voter, person: Voter, channel: str) -> Ballot | None:
    """INSERT the ballot unless this person already has one (ON CONFLICT DO NOTHING, on PostgreSQL and SQLite):
    the new ballot, or None. An INSERT racing another one of the same key waits for it to commit, then does
    nothing; one statement instead of a savepoint, an INSERT and a release."""
    now = timezone.now()
    qn = connection.ops.quote_name
    columns = ("budget_id", "voter_id", "voter_key", "channel", "commune_id", "created_at", "updated_at")
    stamp = connection.ops.adapt_datetimefield_value(now)
    params = [budget.pk, getattr(voter, "pk", None), person.key, channel, person.commune_id, stamp, stamp]
    sql = (f"INSERT INTO {qn(Ballot._meta.db_table)} ({', '.join(qn(c) for c in columns)}) "
           f"VALUES ({', '.join(['%s'] * len(columns))}) "
           f"ON CONFLICT ({qn('budget_id')}, {qn('voter_key')}) DO NOTHING RETURNING {qn('id')}")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    ballot = Ballot(pk=row[0], budget=budget, voter=voter, voter_key=person.key, channel=channel,
                    commune_id=person.commune_id, created_at=now, updated_at=now)
    ballot._state.adding = False
    return ballot


def _already_voted() -> BallotError:
    return BallotError(_("A ballot was already cast for this person in this budget (online or on paper). "
                         "One person votes once."), code="already_voted")


def ballot_cast(*, voter, budget: Budget, choices, channel: str = Channel.WEB, voter_key: str | None = None,
                commune=None) -> Ballot:
    """VOTER's ballot in BUDGET, created or replacing their previous one (they may change it until the vote
    closes). Returns the ballot, with `created` telling whether it is their first.

    Paper ballots are cast with VOTER None and VOTER_KEY, the hash of the person on the sheet; they never
    replace a ballot: a person who already voted is refused (code "already_voted").
    Raises BallotError with a message for the voter.

    A BUDGET from `ballot_box()` on PostgreSQL takes the fast path first (one statement); whatever it does
    not accept goes down the Python path below with the budget read afresh, which decides and explains."""
    if channel not in Channel.values:
        raise ValueError(f"Unknown channel {channel!r}")
    if getattr(budget, "ballot_box_stamp", None) is not None:
        ballot = _cast_fast(voter=voter, budget=budget, choices=choices, channel=channel)
        if ballot is not None:
            return ballot
        _BALLOT_BOXES.pop(budget.pk, None)
        fresh = ballot_box_queryset().filter(pk=budget.pk).first()
        if fresh is None:  # deleted meanwhile
            raise BallotError(_("The vote is closed."), code="closed")
        budget = fresh
    return _cast(voter=voter, budget=budget, choices=choices, channel=channel, voter_key=voter_key,
                 commune=commune)


def ballot_box_cached(budget_id: int) -> Budget | None:
    """The ballot box of BUDGET_ID if this process holds it fresh (no query), else None."""
    cached = _BALLOT_BOXES.get(budget_id)
    if cached is not None and time.monotonic() - cached[0] < settings.CONCERTO_BALLOT_BOX_SECONDS:
        return cached[1]
    return None


def _intake_facts(budget: Budget, today) -> dict | None:
    """What every intake ballot of BUDGET (a cached ballot box) shares on TODAY, or None when its box is not open
    to the fast path; kept on the cached box for the day (the box is read again every few seconds, and the
    statement checks its stamp)."""
    memo = budget.__dict__.get("_intake_facts")
    if memo is not None and memo[0] == today:
        return memo[1]
    facts = None
    area = budget.voters_area
    if ballot_box_refusal(budget=budget) is None and area.is_commune:
        component = budget.component
        facts = {"b": budget.pk, "s": budget.ballot_box_stamp, "a": area.pk,
                 "v": bool(component.setting("vote_requires_verification")),
                 "m": component.setting("minimum_age") or 0, "d": today.isoformat(),
                 "o": component.space.organisation_id, "n": component.pk,
                 "y": ContentType.objects.get_for_model(Ballot).pk}
    budget.__dict__["_intake_facts"] = (today, facts)
    return facts


def intake_element(*, budget: Budget, choices, now) -> dict | None:
    """What `budgets_ballot_intake` (migration 0005) needs to cast a ballot in BUDGET (a cached ballot box) for
    whoever the token names, the token's hash aside; None when the fast path is not sure to accept it (the same
    checks as _cast_fast before its statement)."""
    facts = _intake_facts(budget, timezone.localtime(now).date())
    if facts is None:
        return None
    try:
        chosen = ballot_check(budget=budget, choices=choices)
    except BallotError:
        return None
    projects = list(chosen)
    return {**facts, "p": projects, "q": [chosen[p] for p in projects],
            "c": sum(budget.ballot_costs[p] for p in projects), "t": now.isoformat()}


def _cast_fast(*, voter, budget: Budget, choices, channel: str) -> Ballot | None:
    """The ballot cast by one statement (budgets_ballot_cast, migration 0003), or None when it is not sure to be
    accepted: the Python path then decides. Outside a transaction the statement is its own transaction, so the
    ballot costs one round trip and one commit."""
    if voter is None or not voter.is_authenticated:
        return None
    now = timezone.now()
    element = intake_element(budget=budget, choices=choices, now=now)
    if element is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT * FROM budgets_ballot_cast(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [element["b"], element["s"], voter.pk, voter.residence_id, element["a"], element["v"], element["m"],
             timezone.localtime(now).date(), element["p"], element["q"], element["c"], channel, now, element["o"],
             element["n"], element["y"], CONTRIBUTION_KIND])
        ballot_id, created, created_at, key, commune_id, outcome = cursor.fetchone()
    if outcome == "superseded":
        # A later ballot of this voter is in already (this request was held up on the way): it stays.
        ballot = Ballot.objects.get(pk=ballot_id)
        ballot.created = False
        ballot.superseded = True
        return ballot
    if outcome != "ok":
        return None
    ballot = Ballot(pk=ballot_id, budget=budget, voter=voter, voter_key=key, channel=channel, commune_id=commune_id,
                    created_at=created_at, updated_at=now)
    ballot._state.adding = False
    ballot.created = created
    return ballot


@transaction.atomic
def _cast(*, voter, budget: Budget, choices, channel: str, voter_key: str | None, commune) -> Ballot:
    """The Python path of ballot_cast: the reference, on every database."""
    refusal = ballot_box_refusal(budget=budget)
    if refusal is not None:
        raise refusal
    if voter is None:
        if not voter_key:
            raise ValueError("A ballot without a voter needs the voter's key")
        person = Voter(key=voter_key, commune_id=getattr(commune, "pk", commune), verification=None)
    else:
        person = voter_for(user=voter, budget=budget)
    chosen = ballot_check(budget=budget, choices=choices)

    keys = [person.key]
    if voter is not None and person.key != f"user:{voter.pk}":
        # Verified after a first ballot cast as `user:<id>`: that ballot is theirs and moves to their identity.
        keys.append(f"user:{voter.pk}")
    ballot = (Ballot.objects.select_for_update().filter(budget=budget, voter_key__in=keys)
              .order_by("voter_key").first())
    created = False
    if ballot is None:
        ballot = _insert(budget=budget, voter=voter, person=person, channel=channel)
        created = ballot is not None
        if ballot is None:
            # Another request of the same person won the race: its ballot is locked, then replaced below.
            ballot = Ballot.objects.select_for_update().get(budget=budget, voter_key=person.key)
    if not created:
        if voter is None or ballot.voter_id != voter.pk:
            raise _already_voted()
        moved = ballot.voter_key != person.key
        ballot.voter_key = person.key
        ballot.channel = channel
        ballot.commune_id = person.commune_id
        if moved:
            try:
                with transaction.atomic():
                    ballot.save(update_fields=["voter_key", "channel", "commune", "updated_at"])
            except IntegrityError:  # their identity already voted on paper
                raise _already_voted() from None
        else:
            ballot.save(update_fields=["channel", "commune", "updated_at"])
    _write_choices(ballot, chosen, replace=not created)
    if created:
        residence = Organisation(pk=person.commune_id) if person.commune_id else None
        contribution_record(kind=CONTRIBUTION_KIND, target=ballot, component=budget.component, author=voter,
                            channel=channel, residence=residence)
    ballot.created = created
    return ballot


@transaction.atomic
def ballot_withdraw(*, voter, budget: Budget) -> bool:
    """VOTER takes their ballot back while the vote is open. False if they had none."""
    refusal = ballot_box_refusal(budget=budget)
    if refusal is not None:
        raise refusal
    if voter is None or not voter.is_authenticated:
        raise BallotError(_("Sign in to vote."), code="sign_in")
    ballot = Ballot.objects.select_for_update().filter(budget=budget, voter=voter).first()
    if ballot is None:
        return False
    contribution_remove(target=ballot)
    ballot.delete()
    return True


def ballot_of(*, user, budget: Budget) -> Ballot | None:
    """USER's ballot in BUDGET with its choices, or None."""
    if user is None or not user.is_authenticated:
        return None
    return (Ballot.objects.filter(budget=budget, voter=user)
            .prefetch_related("choices__project").first())


def voted_budget_ids(*, user, budgets) -> set[int]:
    if user is None or not user.is_authenticated:
        return set()
    return set(Ballot.objects.filter(voter=user, budget__in=list(budgets)).values_list("budget_id", flat=True))


# Personal data ----------------------------------------------------------------------------------------------

def personal_data(user) -> dict:
    ballots = (Ballot.objects.filter(voter=user).select_related("budget__component__space")
               .prefetch_related("choices__project").order_by("created_at", "pk"))
    return {"budget_ballots": [
        {"space": ballot.budget.component.space.title, "budget": ballot.budget.name, "channel": ballot.channel,
         "created_at": ballot.created_at.isoformat(), "updated_at": ballot.updated_at.isoformat(),
         "choices": [{"project": choice.project.title, "points": choice.points}
                     for choice in sorted(ballot.choices.all(), key=lambda c: c.project_id)]}
        for ballot in ballots
    ]}


def erase_personal_data(user) -> None:
    """Ballots stay, anonymous: counted results must not change after the fact, and the published anonymous
    ballots must stay recountable. They lose their link to the account (voter, and a `user:<id>` key); a
    verified identity's salted hash stays, since it is what keeps that person from voting twice."""
    from concerto.core.participation.models import Contribution

    with transaction.atomic():
        for ballot in Ballot.objects.filter(voter=user).only("pk", "voter_key"):
            fields = {"voter": None}
            if ballot.voter_key.startswith("user:"):
                fields["voter_key"] = f"erased:{ballot.pk}"
            Ballot.objects.filter(pk=ballot.pk).update(**fields)
        Contribution.objects.filter(author=user, kind=CONTRIBUTION_KIND).update(author=None)


# Pages: where a voter stands ------------------------------------------------------------------------------------

def ballot_summary(*, budget: Budget, projects, chosen: dict[int, int]) -> dict:
    """The running total of a ballot being filled in (for the page, with or without JavaScript)."""
    kind = budget.ballot_kind
    summary = {"kind": kind, "count": len(chosen)}
    if kind == Budget.BallotKind.KNAPSACK:
        spent = sum(p.final_cost for p in projects if p.pk in chosen)
        summary.update(spent=spent, left=budget.amount - spent, total=budget.amount, over=spent > budget.amount)
    elif kind == Budget.BallotKind.CUMULATIVE:
        spent = sum(chosen.values())
        summary.update(spent=spent, left=budget.points - spent, total=budget.points, over=spent > budget.points)
    else:
        total = budget.max_choices
        summary.update(spent=len(chosen), left=(total - len(chosen)) if total else None, total=total,
                       over=bool(total) and len(chosen) > total)
    return summary
