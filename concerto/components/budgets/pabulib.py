"""pabulib files of participatory budgets: the anonymous ballots of a published count, so that anyone can
recount them, and the import of a file as a budget of its own, to replay an election with the platform's
engine (results.py counts it like any other)."""

import random

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from concerto.components.budgets import counting
from concerto.components.budgets.models import Ballot, BallotChoice, Budget, Project, Result
from concerto.components.budgets.results import IMPORT_PREFIX, KIND, ballot_projects, election_for, outcome_of
from concerto.core.audit.services import audit_record
from concerto.core.participation.models import Channel
from concerto.core.spaces.models import Component

# The rule names of the pabulib format (META "rule").
PABULIB_RULES = {Budget.Rule.GREEDY: "greedy", Budget.Rule.MES: "equalshares/add1"}
# An imported pabulib file may not be larger than this (a Warsaw-sized district is about 5 MB).
MAX_IMPORT_BYTES = 20 * 1024 * 1024
BULK_BATCH = 2000


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


def pabulib_import_job(job, *, component_id: int, name: str, rule: str, ballot_kind: str | None,
                       amount: int | None) -> str:
    """The background job of a pabulib import (`concerto.core.jobs`): the worker reads the file the agent
    sent and creates the budget; a refusal (ValidationError) is the failure shown on the job's page."""
    component = Component.objects.select_related("space__organisation").get(pk=component_id)
    job.progress(1, 2, _("Reading the file and saving the ballots…"))
    try:
        budget = pabulib_import(actor=job.started_by, component=component, text=job.input().decode("utf-8-sig"),
                                name=name, rule=rule, ballot_kind=ballot_kind, amount=amount)
    except ValidationError as error:
        raise ValidationError([message for problems in error.message_dict.values() for message in problems]) \
            from None
    job.link = reverse("budgets_backoffice:results", args=[component.space.organisation.slug, component.space.slug,
                                                          component.pk, budget.pk])
    return _("The budget “%(name)s” is created with %(projects)s projects and %(ballots)s ballots. You can count "
             "it now.") % {"name": budget.name, "projects": budget.projects.count(), "ballots": budget.ballots.count()}


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
