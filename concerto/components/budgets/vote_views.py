"""The vote pages: the budgets a resident can vote in, and one budget's ballot (fill in, check the running total,
cast, see what was recorded, change it until the vote closes, then see it counted).

Everything works without JavaScript: the running total is computed by the server when the ballot is sent
(the "Update the total" button sends it without casting it); vote.js only updates it as boxes are ticked.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from concerto.components.budgets import ballots
from concerto.components.budgets.forms_vote import BallotForm
from concerto.components.budgets.models import Budget, Result
from concerto.core import french
from concerto.core.accounts import verification as verifications
from concerto.core.spaces.lookup import item_for, public_component_for
from concerto.core.spaces.models import Component

EDIT_PARAM = "modifier"




def _context(component: Component, **extra) -> dict:
    return {"component": component, "space": component.space, "organisation": component.space.organisation,
            "active": "vote", **extra}


def _login_url(request) -> str:
    return f"{reverse('account_login')}?{urlencode({'next': request.get_full_path()})}"


def _verification_url(request, budget: Budget) -> str:
    return verifications.verification_url(organisation=budget.voters_area, next_url=request.get_full_path())


def _results_url(budget: Budget) -> str | None:
    """The budget's results page once a result is published."""
    if not Result.objects.filter(budget=budget, published_at__isnull=False).exists():
        return None
    space = budget.component.space
    try:
        return reverse("budgets:budget_results", args=[space.organisation.slug, space.slug, budget.component_id,
                                                       budget.pk])
    except NoReverseMatch:  # pragma: no cover - the results pages are part of the component
        return None


def _ballot_url(budget: Budget, *, edit: bool = False) -> str:
    space = budget.component.space
    url = reverse("budgets:ballot", args=[space.organisation.slug, space.slug, budget.component_id, budget.pk])
    return f"{url}?{EDIT_PARAM}=1" if edit else url


@require_safe
def vote_home(request, org_slug, space_slug, component_id):
    component, _can_manage = public_component_for(request, "budgets", space_slug=space_slug, component_id=component_id)
    budgets = list(component.budgets.select_related("scope"))
    voted = ballots.voted_budget_ids(user=request.user, budgets=budgets)
    window = component.window("voting_open")
    for budget in budgets:
        budget.component = component
        budget.voted = budget.pk in voted
        budget.url = _ballot_url(budget)
        budget.published = budget.ballot_published_at is not None
        budget.rule_text = rule_text(budget)
    return render(request, "budgets/vote/home.html", _context(
        component, budgets=budgets, window=window, login_url=_login_url(request),
    ))


def rule_text(budget: Budget) -> str:
    """What the voter may choose, in one sentence."""
    kind = budget.ballot_kind
    if kind == Budget.BallotKind.KNAPSACK:
        text = _("Choose the projects you want, as long as their total cost fits the budget of %(amount)s.") % {
            "amount": ballots.euros(budget.amount)}
        if budget.min_share:
            text += " " + _("Choose projects worth at least %(share)s %% of it.") % {"share": budget.min_share}
        return text
    if kind == Budget.BallotKind.CUMULATIVE:
        text = _("Spread your %(points)s over the projects you prefer.") % {
            "points": ballots.points_text(budget.points)}
        if budget.max_points_per_project:
            text += " " + _("A project can receive %(cap)s at most.") % {
                "cap": ballots.points_text(budget.max_points_per_project)}
        return text
    if budget.max_choices == 1:
        return _("Choose the project you prefer.")
    if budget.max_choices:
        return _("Choose up to %(max)s projects.") % {"max": budget.max_choices}
    return _("Choose as many projects as you like.")


def total_templates(budget: Budget) -> dict[str, str]:
    """The running total's sentences, with {left}, {total}, {over} and {count} to fill in (here and in vote.js)."""
    placeholders = {"left": "{left}", "total": "{total}", "over": "{over}", "count": "{count}"}
    kind = budget.ballot_kind
    if kind == Budget.BallotKind.KNAPSACK:
        return {"ok": _("You have %(left)s left out of %(total)s.") % placeholders,
                "over": _("You are %(over)s over the budget of %(total)s: remove a project.") % placeholders}
    if kind == Budget.BallotKind.CUMULATIVE:
        return {"ok": _("Points left: %(left)s out of %(total)s.") % placeholders,
                "over": _("Points given: %(over)s too many. You have %(total)s in all.") % placeholders}
    if budget.max_choices == 1:
        return {"ok": _("Projects chosen: %(count)s out of 1.") % placeholders,
                "over": _("Only one project can be chosen: untick the others.")}
    if budget.max_choices:
        return {"ok": _("Projects chosen: %(count)s out of %(total)s at most.") % placeholders,
                "over": _("Projects chosen: %(count)s, more than the %(total)s allowed.") % placeholders}
    return {"ok": _("Projects chosen: %(count)s.") % placeholders, "over": ""}


def _number(budget: Budget, value: int) -> str:
    if budget.ballot_kind == Budget.BallotKind.KNAPSACK:
        return ballots.euros(value)
    return french.number(value, decimals=0)


def total_text(budget: Budget, summary: dict) -> str:
    template = total_templates(budget)["over" if summary["over"] else "ok"]
    values = {"left": summary["left"] or 0, "total": summary["total"] or 0,
              "over": max(0, -(summary["left"] or 0)), "count": summary["count"]}
    for key, value in values.items():
        template = template.replace("{" + key + "}", _number(budget, value) if key != "count" else str(value))
    return template


def recorded_text(budget: Budget, summary: dict) -> str:
    """The total of a recorded ballot, in one sentence."""
    if budget.ballot_kind == Budget.BallotKind.KNAPSACK:
        return _("Total of your projects: %(spent)s out of a budget of %(total)s.") % {
            "spent": ballots.euros(summary["spent"]), "total": ballots.euros(summary["total"])}
    if budget.ballot_kind == Budget.BallotKind.CUMULATIVE:
        return _("Points given: %(spent)s out of %(total)s.") % {"spent": summary["spent"], "total": summary["total"]}
    return _("Projects chosen: %(count)s.") % {"count": summary["count"]}


def _annotate(projects, chosen: dict[int, int]) -> None:
    for project in projects:
        project.points = chosen.get(project.pk, 0)


def _ballot_page(request, component, budget, projects, *, form=None, ballot=None, chosen=None, refusal=None,
                 status=200, editing=False, cast_error=None):
    chosen = chosen if chosen is not None else {}
    _annotate(projects, chosen)
    summary = ballots.ballot_summary(budget=budget, projects=projects, chosen=chosen)
    summary["text"] = total_text(budget, summary)
    window = component.window("voting_open")
    results_url = None if window.open else _results_url(budget)
    ballot_choices = []
    if ballot is not None:
        by_id = {project.pk: project for project in projects}
        points = {choice.project_id: choice.points for choice in ballot.choices.all()}
        ballot_choices = [(by_id[pk], points[pk]) for pk in sorted(points, key=lambda pk: (
            by_id[pk].ballot_number or 0, pk) if pk in by_id else (0, pk)) if pk in by_id]
        ballot_summary = ballots.ballot_summary(budget=budget, projects=projects, chosen=points)
        ballot_summary["text"] = recorded_text(budget, ballot_summary)
    else:
        ballot_summary = None
    return render(request, "budgets/vote/ballot.html", _context(
        component, budget=budget, projects=projects, form=form, ballot=ballot, ballot_choices=ballot_choices,
        ballot_summary=ballot_summary, summary=summary, refusal=refusal, editing=editing, window=window,
        results_url=results_url, cast_error=cast_error, login_url=_login_url(request),
        verification_url=_verification_url(request, budget) if refusal is not None and refusal.code in (
            "unverified", "age_unknown") else "",
        ballot_url=_ballot_url(budget), edit_url=_ballot_url(budget, edit=True),
        cumulative=budget.ballot_kind == Budget.BallotKind.CUMULATIVE,
        knapsack=budget.ballot_kind == Budget.BallotKind.KNAPSACK,
        rule_text=rule_text(budget), total_templates=total_templates(budget),
    ), status=status)


@require_http_methods(["GET", "POST"])
def ballot_edit(request, org_slug, space_slug, component_id, budget_id):
    component, _can_manage = public_component_for(request, "budgets", space_slug=space_slug, component_id=component_id)
    budget = item_for(component, Budget.objects.select_related("scope"), budget_id)
    if budget.ballot_published_at is None and not request.user.has_perm("spaces.manage_space",
                                                                        request.organisation):
        projects = []
    else:
        projects = list(ballots.ballot_projects(budget).select_related("category"))
    for project in projects:
        project.component = component
    ballot = ballots.ballot_of(user=request.user, budget=budget)
    refusal = ballots.ballot_refusal(user=request.user, budget=budget)
    if refusal is not None:
        # Closed, not published, not signed in, not verified: the page explains, and shows the recorded ballot.
        return _ballot_page(request, component, budget, projects, ballot=ballot, refusal=refusal,
                            status=403 if request.method == "POST" else 200)

    editing = request.method == "POST" or request.GET.get(EDIT_PARAM) == "1" or ballot is None
    if not editing:
        return _ballot_page(request, component, budget, projects, ballot=ballot)

    if request.method == "GET":
        chosen = {choice.project_id: choice.points for choice in ballot.choices.all()} if ballot else {}
        form = BallotForm(budget=budget, projects=projects)
        return _ballot_page(request, component, budget, projects, form=form, ballot=ballot, chosen=chosen,
                            editing=True)

    form = BallotForm(request.POST, budget=budget, projects=projects)
    if not form.is_valid():
        return _ballot_page(request, component, budget, projects, form=form, ballot=ballot,
                            chosen=form.raw_chosen(), editing=True, status=400)
    chosen = form.chosen()
    if request.POST.get("action") == "recalculer":
        # Without JavaScript: the total, and whether the ballot would be accepted, without casting it.
        cast_error = None
        try:
            ballots.ballot_check(budget=budget, choices=chosen)
        except ballots.BallotError as error:
            cast_error = error
        return _ballot_page(request, component, budget, projects, form=form, ballot=ballot, chosen=chosen,
                            editing=True, cast_error=cast_error)
    try:
        cast = ballots.ballot_cast(voter=request.user, budget=budget, choices=chosen, channel="web")
    except ballots.BallotError as error:
        form.add_error(None, error.message)
        return _ballot_page(request, component, budget, projects, form=form, ballot=ballot, chosen=chosen,
                            editing=True, status=error.status if error.status != 422 else 400)
    if cast.created:
        messages.success(request, _("Your vote is recorded. Thank you! You can change it until the vote closes."))
    else:
        messages.success(request, _("Your new ballot is recorded: it replaces the previous one."))
    return redirect(_ballot_url(budget))
