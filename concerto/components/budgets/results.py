"""Results of participatory budgets: counting a budget with the platform's engine, publishing the count,
the explanations the public page shows, open data and figures. pabulib files (export, so that anyone can
recount, and import, to replay an election) are in pabulib.py.

The count reads the ballots of the budget's published list of projects in a fixed order (ballot id, then
project id), so that counting the same ballots twice always gives the same outcome. The published count is
the only one the public, the API and the open data see.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from concerto.components.budgets import counting
from concerto.components.budgets.models import Ballot, BallotChoice, Budget, Project, Result
from concerto.components.budgets.services import follow_up
from concerto.core import french
from concerto.core.audit.services import audit_record
from concerto.core.participation.models import Channel
from concerto.core.participation.services import followers_of, notification_send

KIND = "budgets"
# The engine's rule for each counting rule a budget can choose.
ENGINE_RULES = {Budget.Rule.GREEDY: "greedy", Budget.Rule.MES: "mes"}
# Voters keys of imported ballots: "import:<n>"; no real ballot ever has this prefix.
IMPORT_PREFIX = "import:"


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


def result_compute(*, actor, budget: Budget, progress=None, read=None) -> Result:
    """Count BUDGET by its rule, after the vote closed. The result stays private until published.

    The back-office runs it in the task worker (count_jobs.py): READ() is called once the ballots are read,
    PROGRESS(fraction) as the engine goes."""
    refusal = compute_refusal(budget=budget)
    if refusal:
        raise ResultError(refusal)
    election = election_for(budget=budget)
    if read is not None:
        read()
    try:
        outcome = counting.count(election, ENGINE_RULES[Budget.Rule(budget.rule)], progress)
    except counting.CountingError as error:
        raise ResultError(str(error)) from None
    with transaction.atomic():
        result = Result.objects.create(budget=budget, rule=budget.rule, computed_by=user_or_none(actor),
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


def user_or_none(actor):
    return actor if actor is not None and actor.is_authenticated else None


def result_publish(*, actor, result: Result) -> Result:
    """Publish RESULT: the winning projects are marked selected (the others unmarked), any other published
    result of the budget is withdrawn, the authors and followers of the projects are notified, and each winner's
    action is opened under the budget's decision (services/follow_up.py), all in one transaction."""
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
        # The winners' follow-up begins now: the budget's decision answers each winner (the kernel tells its
        # people) and opens its planned action; those already open (published before) are kept.
        follow_up.winners_follow_up_open(actor=actor, budget=budget)
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


def pabulib_files(*, components, organisation) -> list[tuple[str, str, str, str]]:
    """Open data (open_datasets.py): the anonymous ballots of each budget with published results, as the pabulib
    file its results page already serves (no voter, only the projects each ballot chose)."""
    from django.urls import reverse

    found = []
    for budget in Budget.objects.filter(component__in=components).select_related(
            "component__space__organisation").order_by("pk"):
        if published_result(budget) is None:
            continue
        space = budget.component.space
        found.append((_("Anonymous ballots (pabulib): %(budget)s") % {"budget": budget.name},
                      reverse("budgets:pabulib", args=[space.organisation.slug, space.slug, budget.component_id,
                                                       budget.pk]), "text/plain", "TXT"))
    return found


def published_result(budget: Budget) -> Result | None:
    return Result.objects.filter(budget=budget, published_at__isnull=False).order_by("-published_at").first()


def latest_result(budget: Budget) -> Result | None:
    return Result.objects.filter(budget=budget).order_by("-computed_at", "-pk").first()


def outcome_of(result: Result) -> counting.Outcome:
    return counting.Outcome.from_json(result.outcome)


# What the pages show -----------------------------------------------------------------------------------

def money(value, cents: bool = False) -> str:
    """An amount in euros as people write it: "3 400 €", "61,20 €" (in the active language)."""
    return french.euros(value, cents=cents)


def number(value) -> str:
    return french.number(value, decimals=0)


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


def comparison(*, groups, since, until) -> dict:
    """The comparison across communes (kernel hook `comparison`): for each group of organisations, the ballots cast
    in [SINCE, UNTIL) in its published budgets (pabulib replays left out, as in `statistics`), and the winning
    projects of its budgets whose result was published in that period. Two queries."""
    from concerto.core.comparison.figures import by_group

    budgets = Budget.objects.filter(component__space__organisation_id__in=set().union(*groups.values()),
                                    component__published=True, component__space__status__in=("published", "archived"))
    organisation = "budget__component__space__organisation_id"
    votes = (Ballot.objects.filter(budget__in=budgets, created_at__gte=since, created_at__lt=until)
             .exclude(voter_key__startswith=IMPORT_PREFIX).values_list(organisation).annotate(n=Count("pk"))
             .values_list(organisation, "n"))
    published = Result.objects.filter(budget__in=budgets, published_at__gte=since, published_at__lt=until)
    winners = (Project.objects.filter(budget__in=published.values("budget"), selected=True)
               .values_list(organisation).annotate(n=Count("pk")).values_list(organisation, "n"))
    votes, winners = by_group(votes, groups), by_group(winners, groups)
    return {key: {"budget_votes": sum(votes[key]), "budget_winners": sum(winners[key])} for key in groups}
