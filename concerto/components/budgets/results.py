"""Results of participatory budgets: counting a budget with the platform's engine, publishing the count,
the explanations the public page shows, pabulib export (anyone can recount) and import (replay an election),
open data and figures.

The count reads the ballots of the budget's published list of projects in a fixed order (ballot id, then
project id), so that counting the same ballots twice always gives the same outcome. The published count is
the only one the public, the API and the open data see.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from concerto.components.budgets import counting
from concerto.components.budgets.models import Ballot, BallotChoice, Budget, Project, Result
from concerto.core.audit.services import audit_record
from concerto.core.participation.models import Channel
from concerto.core.participation.services import followers_of, notification_send

KIND = "budgets"
# The engine's rule for each counting rule a budget can choose.
ENGINE_RULES = {Budget.Rule.GREEDY: "greedy", Budget.Rule.MES: "mes"}
# The rule names of the pabulib format (META "rule").
PABULIB_RULES = {Budget.Rule.GREEDY: "greedy", Budget.Rule.MES: "equalshares/add1"}
# Voters keys of imported ballots: "import:<n>"; no real ballot ever has this prefix.
IMPORT_PREFIX = "import:"
# An imported pabulib file may not be larger than this (a Warsaw-sized district is about 5 MB).
MAX_IMPORT_BYTES = 20 * 1024 * 1024
BULK_BATCH = 2000


class ResultError(Exception):
    """A count or a publication refused for a reason the agent must read."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# Reading the ballots -----------------------------------------------------------------------------------

def ballot_projects(budget: Budget):
    """The projects put to the vote in BUDGET, in the order of the ballot."""
    return (Project.objects.on_ballot().filter(budget=budget, withdrawn_at__isnull=True)
            .select_related("category").order_by("ballot_number", "pk"))


def _engine_kind(budget: Budget) -> str:
    return "cumulative" if budget.ballot_kind == Budget.BallotKind.CUMULATIVE else "approval"


def election_for(*, budget: Budget, until=None) -> counting.Election:
    """The election of BUDGET as the engine counts it: project ids are `str(Project.pk)`, costs the final
    costs, one ballot per voter in the order of the ballots' ids (a ballot without a project of the list
    still counts as a voter). UNTIL (a count's time) leaves out the ballots cast after it."""
    costs = {str(pk): cost for pk, cost in ballot_projects(budget).values_list("pk", "final_cost")}
    cast = Ballot.objects.filter(budget=budget)
    if until is not None:
        cast = cast.filter(created_at__lte=until)
    ballot_ids = list(cast.order_by("pk").values_list("pk", flat=True))
    index = {ballot_id: number for number, ballot_id in enumerate(ballot_ids)}
    ballots: list[dict[str, int]] = [{} for _ballot in ballot_ids]
    choices = (BallotChoice.objects.filter(ballot__budget=budget).order_by("ballot_id", "project_id")
               .values_list("ballot_id", "project_id", "points"))
    for ballot_id, project_id, points in choices.iterator(chunk_size=5000):
        key = str(project_id)
        if key in costs and ballot_id in index and points:
            ballots[index[ballot_id]][key] = points
    return counting.Election(budget=budget.amount, costs=costs, ballots=ballots, kind=_engine_kind(budget))


def is_imported(budget: Budget) -> bool:
    """A budget replayed from a pabulib file: its vote happened elsewhere, so no vote window applies."""
    return Ballot.objects.filter(budget=budget, voter_key__startswith=IMPORT_PREFIX).exists()


# Counting and publishing -------------------------------------------------------------------------------

def compute_refusal(*, budget: Budget) -> str:
    """Why BUDGET cannot be counted now ("" when it can)."""
    component = budget.component
    if not is_imported(budget):
        window = component.window("voting_open")
        if window.open:
            if window.closes_on:
                return _("The vote is still open until %(date)s: the results can be counted once it has "
                         "closed.") % {"date": date_format(window.closes_on, "j F Y")}
            return _("The vote is still open: the results can be counted once it has closed.")
        if window.closed_on is None:
            return _("The vote has not taken place yet: the results can be counted once it has closed.")
    if not ballot_projects(budget).exists():
        return _("No project is put to the vote in this budget: there is nothing to count.")
    if not Ballot.objects.filter(budget=budget).exists():
        return _("Nobody voted in this budget: there is no ballot to count.")
    return ""


def result_compute(*, actor, budget: Budget) -> Result:
    """Count BUDGET by its rule, after the vote closed. The result stays private until published."""
    refusal = compute_refusal(budget=budget)
    if refusal:
        raise ResultError(refusal)
    election = election_for(budget=budget)
    try:
        outcome = counting.count(election, ENGINE_RULES[Budget.Rule(budget.rule)])
    except counting.CountingError as error:
        raise ResultError(str(error)) from None
    with transaction.atomic():
        result = Result.objects.create(budget=budget, rule=budget.rule, computed_by=_user(actor),
                                       ballots=len(election.ballots), outcome=outcome.to_json())
        audit_record(actor=actor, action="budgets.result_computed", target=budget, organisation=budget.organisation,
                     data={"result": result.pk, "rule": budget.rule, "ballots": result.ballots,
                           "selected": list(outcome.selected)})
    return result


def ballots_changed_since(result: Result) -> bool:
    """Whether the ballots of RESULT's budget are no longer the ones it counted."""
    ballots = Ballot.objects.filter(budget_id=result.budget_id)
    return (ballots.count() != result.ballots
            or ballots.filter(updated_at__gt=result.computed_at).exists())


def _user(actor):
    return actor if actor is not None and actor.is_authenticated else None


def result_publish(*, actor, result: Result) -> Result:
    """Publish RESULT: the winning projects are marked selected (the others unmarked), any other published
    result of the budget is withdrawn, and the authors and followers of the projects are notified."""
    with transaction.atomic():
        budget = Budget.objects.select_for_update().select_related("component__space__organisation").get(
            pk=result.budget_id)
        result = Result.objects.select_for_update().get(pk=result.pk)
        result.budget = budget
        if result.rule != budget.rule:
            raise ResultError(_("The budget's counting rule changed since this count: count again."))
        if ballots_changed_since(result):
            raise ResultError(_("Ballots were added, changed or removed since this count: count again before "
                                "publishing."))
        now = timezone.now()
        Result.objects.filter(budget=budget, published_at__isnull=False).exclude(pk=result.pk).update(
            published_at=None)
        result.published_at = now
        result.save(update_fields=["published_at"])
        winners = [int(pk) for pk in outcome_of(result).selected]
        Project.objects.filter(budget=budget).exclude(pk__in=winners).update(selected=False)
        Project.objects.filter(budget=budget, pk__in=winners).update(selected=True)
        audit_record(actor=actor, action="budgets.result_published", target=budget,
                     organisation=budget.organisation, data={"result": result.pk, "selected": winners})
        _notify_published(actor=actor, budget=budget, winners=set(winners))
    return result


def result_unpublish(*, actor, result: Result) -> Result:
    """Withdraw RESULT from the public: the projects are no longer marked as winners."""
    with transaction.atomic():
        budget = Budget.objects.select_for_update().select_related("component__space__organisation").get(
            pk=result.budget_id)
        result = Result.objects.select_for_update().get(pk=result.pk)
        if result.published_at is None:
            return result
        result.published_at = None
        result.save(update_fields=["published_at"])
        Project.objects.filter(budget=budget).update(selected=False)
        audit_record(actor=actor, action="budgets.result_unpublished", target=budget,
                     organisation=budget.organisation, data={"result": result.pk})
    return result


def _notify_published(*, actor, budget: Budget, winners: set[int]) -> None:
    """Tell each project's author and followers whether it won (in-app now, emails after commit)."""
    projects = list(ballot_projects(budget).select_related("author"))
    with translation.override(settings.LANGUAGE_CODE):
        for project in projects:
            recipients = list(followers_of(project))
            if project.author is not None:
                recipients.append(project.author)
            if actor is not None:
                recipients = [user for user in recipients if user.pk != actor.pk]
            if not recipients:
                continue
            if project.pk in winners:
                title = _("“%(title)s” is one of the winning projects of “%(budget)s”") % {
                    "title": project.title, "budget": budget.name}
            else:
                title = _("“%(title)s” was not selected in “%(budget)s”") % {
                    "title": project.title, "budget": budget.name}
            body = _("The results of the vote are published: see the figures and why each project won or lost.")
            notification_send(recipients=recipients, verb="budgets.result_published", title=title, body=body,
                              url=results_url(budget))


def results_url(budget: Budget) -> str:
    from django.urls import reverse

    space = budget.component.space
    return reverse("budgets:budget_results", kwargs={
        "org_slug": space.organisation.slug, "space_slug": space.slug, "component_id": budget.component_id,
        "budget_id": budget.pk})


def published_result(budget: Budget) -> Result | None:
    return Result.objects.filter(budget=budget, published_at__isnull=False).order_by("-published_at").first()


def latest_result(budget: Budget) -> Result | None:
    return Result.objects.filter(budget=budget).order_by("-computed_at", "-pk").first()


def outcome_of(result: Result) -> counting.Outcome:
    return counting.Outcome.from_json(result.outcome)


# What the pages show -----------------------------------------------------------------------------------

def money(value, cents: bool = False) -> str:
    """An amount in euros as people write it: "3 400 €", "61,20 €" (in the active language)."""
    if value is None:
        return ""
    text = number_format(round(float(value), 2) if cents else round(value), decimal_pos=2 if cents else 0,
                         use_l10n=True, force_grouping=True)
    return f"{text}\u00a0€"  # a non-breaking space, as in French and in most of Europe


def number(value) -> str:
    return number_format(value, use_l10n=True, force_grouping=True)


def percent(part, whole) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def ordinal(value: int) -> str:
    if translation.get_language() and translation.get_language().startswith("fr"):
        return "1er" if value == 1 else f"{value}e"
    suffix = "th" if 10 <= value % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(value % 10, "th")
    return f"{value}{suffix}"


def explanation(project: counting.ProjectResult, *, rule: str, money_left_at_turn=None) -> str:
    """Why PROJECT won or lost, in a sentence, from the engine's figures."""
    supporters = project.votes
    if project.selected:
        if rule == Budget.Rule.MES:
            if project.price_per_supporter is not None and project.order:
                figures = {"round": ordinal(project.order), "count": number(supporters),
                           "price": money(project.price_per_supporter, cents=True)}
                if supporters == 1:
                    return _("Selected in the %(round)s round: its only supporter paid at most %(price)s.") % figures
                return _("Selected in the %(round)s round: each of its %(count)s supporters paid at most "
                         "%(price)s.") % figures
            if project.order:
                return _("Selected in the %(round)s round.") % {"round": ordinal(project.order)}
            return _("Selected.")
        if money_left_at_turn is not None:
            return _("Selected: %(left)s were left when its turn came, enough for its cost of %(cost)s.") % {
                "left": money(money_left_at_turn), "cost": money(project.cost)}
        return _("Selected.")
    if project.reason == "no_votes" or not supporters:
        return _("Not selected: nobody voted for it.")
    if rule == Budget.Rule.MES and project.supporters_money_left is not None:
        figures = {"count": number(supporters), "money": money(project.supporters_money_left),
                   "cost": money(project.cost)}
        if supporters == 1:
            return _("Not selected: its only supporter had only %(money)s left, for a cost of %(cost)s.") % figures
        return _("Not selected: its %(count)s supporters had only %(money)s left between them, for a cost of "
                 "%(cost)s.") % figures
    if money_left_at_turn is not None:
        return _("Not selected: %(left)s were left for a cost of %(cost)s.") % {
            "left": money(money_left_at_turn), "cost": money(project.cost)}
    return _("Not selected: the budget left could not pay for it.")


def _greedy_money_left(outcome: counting.Outcome) -> dict[str, int]:
    """For greedy counts, the money left when each project's turn came. The engine takes projects by
    decreasing votes, ties by the smaller id compared as strings (see counting/rules.py)."""
    budget = outcome.budget

    def turn(project: counting.ProjectResult):
        return (-(project.votes if project.cost else 0), project.project)

    winners = [outcome.projects[pk] for pk in outcome.selected if pk in outcome.projects]
    return {pk: int(budget - sum(w.cost for w in winners if turn(w) < turn(project)))
            for pk, project in outcome.projects.items()}


@dataclass
class ProjectRow:
    id: str
    project: Project | None
    title: str
    category: str
    cost: int
    votes: int
    selected: bool
    order: int | None
    reason: str
    explanation: str
    share_of_budget: float  # cost / amount, percent
    share_of_votes: float  # votes / ballots (supporters), or points / all points (cumulative), percent
    bar: float  # votes relative to the most voted project, percent (for the chart's bars)

    @property
    def cost_text(self) -> str:
        return money(self.cost)

    @property
    def votes_text(self) -> str:
        return number(self.votes)


@dataclass
class Turnout:
    label: str
    ballots: int
    share: float  # percent of the ballots
    population: int | None = None
    rate: float | None = None  # ballots per inhabitant, percent


@dataclass
class Report:
    result: Result
    budget: Budget
    rule: str
    rows: list[ProjectRow]
    winners: list[ProjectRow]
    losers: list[ProjectRow]
    ballots: int
    spent: int
    amount: int
    share_spent: float
    by_commune: list[Turnout] = field(default_factory=list)
    by_channel: list[Turnout] = field(default_factory=list)
    points: bool = False

    @property
    def amount_text(self) -> str:
        return money(self.amount)

    @property
    def spent_text(self) -> str:
        return money(self.spent)

    @property
    def left_text(self) -> str:
        return money(self.amount - self.spent)


def report(result: Result) -> Report:
    """Everything the results pages show about RESULT, explanations included."""
    budget = result.budget
    outcome = outcome_of(result)
    projects = {str(p.pk): p for p in Project.objects.filter(budget=budget).select_related("category")}
    left = _greedy_money_left(outcome) if result.rule == Budget.Rule.GREEDY else {}
    cumulative = budget.ballot_kind == Budget.BallotKind.CUMULATIVE
    total_points = sum(p.votes for p in outcome.projects.values()) if cumulative else 0
    most = max([p.votes for p in outcome.projects.values()] or [0])
    rows = []
    for pk, figures in outcome.projects.items():
        project = projects.get(pk)
        rows.append(ProjectRow(
            id=pk, project=project, title=project.title if project else pk,
            category=project.category.name if project and project.category else "",
            cost=figures.cost, votes=figures.votes, selected=figures.selected, order=figures.order,
            reason=figures.reason,
            explanation=explanation(figures, rule=result.rule, money_left_at_turn=left.get(pk)),
            share_of_budget=percent(figures.cost, budget.amount),
            share_of_votes=percent(figures.votes, total_points if cumulative else result.ballots),
            bar=percent(figures.votes, most),
        ))
    winners = sorted((r for r in rows if r.selected), key=lambda r: (r.order or 10**9, -r.votes, r.title))
    losers = sorted((r for r in rows if not r.selected), key=lambda r: (-r.votes, r.cost, r.title))
    spent = sum(r.cost for r in winners)
    return Report(
        result=result, budget=budget, rule=result.rule, rows=winners + losers, winners=winners, losers=losers,
        ballots=result.ballots, spent=spent, amount=budget.amount, share_spent=percent(spent, budget.amount),
        by_commune=turnout_by_commune(budget), by_channel=turnout_by_channel(budget), points=cumulative,
    )


def project_result(project: Project) -> ProjectRow | None:
    """PROJECT's line in the published results of its budget (votes, outcome, why), for its own page; None
    when its budget has no published results or it was not on the ballot."""
    if project.budget_id is None:
        return None
    result = published_result(project.budget)
    if result is None:
        return None
    return next((row for row in report(result).rows if row.id == str(project.pk)), None)


def turnout_by_commune(budget: Budget) -> list[Turnout]:
    ballots = Ballot.objects.filter(budget=budget)
    total = ballots.count()
    rows = []
    for name, population, count in (ballots.values_list("commune__name", "commune__population")
                                    .annotate(n=Count("pk")).order_by("-n", "commune__name")):
        rows.append(Turnout(label=name or _("Commune not known"), ballots=count, share=percent(count, total),
                            population=population, rate=percent(count, population) if population else None))
    return rows


def turnout_by_channel(budget: Budget) -> list[Turnout]:
    ballots = Ballot.objects.filter(budget=budget)
    total = ballots.count()
    labels = dict(Channel.choices)
    return [Turnout(label=str(labels.get(channel, channel)), ballots=count, share=percent(count, total))
            for channel, count in ballots.values_list("channel").annotate(n=Count("pk")).order_by("-n", "channel")]


# pabulib files -----------------------------------------------------------------------------------------

def _vote_dates(component):
    manifest = component.manifest
    steps = [s for s in component.space.steps.all() if manifest.step_settings_for(component, s).get("voting_open")]
    if not steps:
        return None, None
    return min(s.start_date for s in steps), max(s.end_date for s in steps)


def pabulib_text(*, result: Result) -> str:
    """The anonymous ballots of RESULT's budget in the pabulib format, with the projects and the outcome.

    Voters are numbered 1, 2, 3... in an order shuffled with a seed taken from the result, so that the
    number says nothing about who voted or when. Nothing else about a voter is written: no commune (in a
    small commune a handful of voters could be singled out), no channel, no date."""
    budget = result.budget
    component = budget.component
    election = election_for(budget=budget, until=result.computed_at)
    outcome = outcome_of(result)
    order = list(range(len(election.ballots)))
    random.Random(f"concerto-result-{result.pk}-{result.computed_at.isoformat()}").shuffle(order)
    election.ballots = [election.ballots[i] for i in order]
    election.voter_meta = [{"voter_id": str(number)} for number in range(1, len(order) + 1)]
    begin, end = _vote_dates(component)
    area = budget.voters_area
    meta = {
        "description": f"{component.space.title} – {budget.name}",
        "country": "France",
        "unit": area.name,
        "instance": budget.name,
        "num_projects": str(len(election.costs)),
        "num_votes": str(len(election.ballots)),
        "budget": str(budget.amount),
        "vote_type": election.kind,
        "rule": PABULIB_RULES.get(result.rule, result.rule),
        "language": "fr",
        "currency": "EUR",
    }
    if begin:
        meta["date_begin"] = begin.strftime("%d.%m.%Y")
        meta["date_end"] = end.strftime("%d.%m.%Y")
    if budget.ballot_kind == Budget.BallotKind.APPROVAL and budget.max_choices:
        meta["max_length"] = str(budget.max_choices)
    if budget.ballot_kind == Budget.BallotKind.KNAPSACK:
        meta["max_sum_cost"] = str(budget.amount)
    if budget.ballot_kind == Budget.BallotKind.CUMULATIVE:
        meta["max_sum_points"] = str(budget.points)
        if budget.max_points_per_project:
            meta["max_points"] = str(budget.max_points_per_project)
    election.meta = meta
    projects = {str(p.pk): p for p in ballot_projects(budget)}
    election.project_meta = {}
    for pk in election.costs:
        project = projects.get(pk)
        figures = outcome.projects.get(pk)
        row = {"name": _one_line(project.title) if project else "",
               "category": _one_line(project.category.name) if project and project.category else "",
               "votes": str(figures.votes if figures else 0),
               "selected": "1" if figures is not None and figures.selected else "0"}
        election.project_meta[pk] = row
    return counting.write_pabulib(election)


def _one_line(value: str) -> str:
    """pabulib is semicolon-separated text: no semicolons or line breaks inside a value."""
    return " ".join(value.replace(";", ",").split())


def pabulib_filename(budget: Budget) -> str:
    from django.utils.text import slugify

    space = budget.component.space
    return f"{slugify(space.organisation.name)}-{slugify(budget.name)[:60]}.pb"


def pabulib_import(*, actor, component, text: str, name: str, rule: str, ballot_kind: str | None = None,
                   amount: int | None = None) -> Budget:
    """Create a budget in COMPONENT from the pabulib file TEXT: its projects put to the vote (with the file's
    ids as external ids) and its anonymous ballots, all or nothing. Raises ValidationError keyed by field."""
    if component.kind != KIND:
        raise ValueError("This is not a budgets component")
    if len(text.encode("utf-8")) > MAX_IMPORT_BYTES:
        raise ValidationError({"file": [_("The file is too large: %(max)s MB at most.") % {
            "max": MAX_IMPORT_BYTES // (1024 * 1024)}]})
    try:
        election = counting.read_pabulib(text)
    except counting.CountingError as error:
        raise ValidationError({"file": [_("This pabulib file cannot be read: %(error)s") % {"error": error}]}) \
            from None
    errors: dict[str, list[str]] = {}
    if election.kind not in ("approval", "cumulative"):
        errors["file"] = [_("This file's ballots are “%(kind)s”: only approval and cumulative ballots can be "
                            "imported.") % {"kind": election.kind}]
    if not election.costs:
        errors["file"] = [_("This file has no project.")]
    for external_id, cost in election.costs.items():
        # Costs are stored in whole euros: a rounded cost could change the outcome of the replay.
        if int(cost) != cost:
            errors["file"] = [_("The costs must be whole euros: project %(project)s costs %(cost)s.") % {
                "project": external_id, "cost": cost}]
            break
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = [_("Give the budget a name.")]
    elif len(name) > Budget._meta.get_field("name").max_length:
        errors["name"] = [_("The name is too long: 150 characters at most.")]
    elif Budget.objects.filter(component=component, name__iexact=name).exists():
        errors["name"] = [_("A budget of this component already has this name.")]
    if rule not in Budget.Rule.values:
        errors["rule"] = [_("Choose a counting rule.")]
    kind = ballot_kind or (Budget.BallotKind.CUMULATIVE if election.kind == "cumulative"
                           else Budget.BallotKind.APPROVAL)
    if kind not in Budget.BallotKind.values:
        errors["ballot_kind"] = [_("Choose a kind of ballot.")]
    elif "file" not in errors and (kind == Budget.BallotKind.CUMULATIVE) != (election.kind == "cumulative"):
        errors["ballot_kind"] = [_("This file's ballots are “%(kind)s”: choose a matching kind of ballot.") % {
            "kind": election.kind}]
    if amount is None:
        try:
            amount = int(election.budget)
        except (TypeError, ValueError, OverflowError):
            amount = 0
    if amount is None or amount <= 0:
        errors["amount"] = [_("Give the amount of the budget.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        budget = Budget.objects.create(
            component=component, name=name, amount=amount, ballot_kind=kind, rule=rule,
            description=_one_line(election.meta.get("description", ""))[:1000],
            ballot_published_at=timezone.now(),
            points=_small(election.meta.get("max_sum_points"), 10),
        )
        projects = []
        for number, (external_id, cost) in enumerate(election.costs.items(), start=1):
            row = election.project_meta.get(external_id, {})
            title = _one_line(row.get("name", ""))[:150] or _("Project %(id)s") % {"id": external_id}
            projects.append(Project(
                component=component, budget=budget, title=title, text=_one_line(row.get("description", "")),
                estimated_cost=cost, final_cost=cost, on_ballot=True, ballot_number=number if number < 32768 else None,
                eligibility=Project.Eligibility.ELIGIBLE, external_id=str(external_id)[:64],
            ))
        Project.objects.bulk_create(projects, batch_size=BULK_BATCH)
        ids = {p.external_id: p.pk for p in Project.objects.filter(budget=budget).only("pk", "external_id")}
        ballot_ids = _insert_ballots(budget, len(election.ballots))
        choices = [(ballot_id, ids[str(external_id)[:64]], min(int(points), 32767))
                   for ballot_id, votes in zip(ballot_ids, election.ballots, strict=True)
                   for external_id, points in votes.items() if points]
        _insert_choices(choices)
        audit_record(actor=actor, action="budgets.pabulib_imported", target=budget,
                     organisation=component.space.organisation,
                     data={"projects": len(projects), "ballots": len(ballot_ids)})
    return budget


def _insert_ballots(budget: Budget, count: int) -> list[int]:
    """Insert COUNT anonymous ballots "import:1"... "import:COUNT" in BUDGET; their ids, in that order. Plain
    INSERTs: model instances would cost most of the time of a Warsaw-sized import."""
    from django.db import connection

    now = connection.ops.adapt_datetimefield_value(timezone.now())
    _insert_rows(Ballot._meta.db_table, ("budget_id", "voter_key", "channel", "created_at", "updated_at"),
                 [(budget.pk, f"{IMPORT_PREFIX}{n}", Channel.API.value, now, now) for n in range(1, count + 1)])
    ids = dict(Ballot.objects.filter(budget=budget).values_list("voter_key", "pk"))
    return [ids[f"{IMPORT_PREFIX}{n}"] for n in range(1, count + 1)]


def _insert_choices(rows: list[tuple[int, int, int]]) -> None:
    """Insert (ballot id, project id, points) rows, as plain INSERTs (see _insert_ballots)."""
    _insert_rows(BallotChoice._meta.db_table, ("ballot_id", "project_id", "points"), rows)


def _insert_rows(table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """INSERT ROWS into TABLE, many rows per statement (one round trip each, on SQLite and PostgreSQL)."""
    from django.db import connection

    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) VALUES "
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    per_statement = max(1, min(1000, (connection.features.max_query_params or 30_000) // len(columns)))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start:start + per_statement]
            cursor.execute(head + ", ".join([one] * len(chunk)), [value for row in chunk for value in row])


def _small(value, default: int) -> int:
    try:
        return max(1, min(int(value), 32767))
    except (TypeError, ValueError):
        return default


# Open data and figures (named by the manifest) ---------------------------------------------------------

def export_results(component) -> list[dict]:
    """One row per project of the published results of COMPONENT's budgets (public data only)."""
    rows = []
    published = (Result.objects.filter(budget__component=component, published_at__isnull=False)
                 .select_related("budget").order_by("budget__position", "budget_id", "-published_at"))
    seen = set()
    for result in published:
        if result.budget_id in seen:
            continue
        seen.add(result.budget_id)
        for row in report(result).rows:
            rows.append({
                "budget_id": result.budget_id, "budget": result.budget.name, "budget_amount": result.budget.amount,
                "rule": result.rule, "ballots": result.ballots,
                "published_at": result.published_at.isoformat(),
                "project_id": int(row.id), "title": row.title, "category": row.category, "cost": row.cost,
                "votes": row.votes, "selected": row.selected, "order": row.order, "reason": row.reason,
                "explanation": row.explanation,
            })
    return rows


def statistics(component) -> dict:
    """Ballots cast in the component's budgets, distinct voters, and turnout (voters per inhabitant of the
    space's organisation, percent, when its population is known). Ballots replayed from a pabulib file are
    not participation here and are left out."""
    ballots = Ballot.objects.filter(budget__component=component).exclude(voter_key__startswith=IMPORT_PREFIX)
    figures = ballots.aggregate(ballots=Count("pk"), voters=Count("voter_key", distinct=True))
    population = component.space.organisation.population
    return {"ballots": figures["ballots"], "voters": figures["voters"],
            "turnout": round(100 * figures["voters"] / population, 2) if population else None}
