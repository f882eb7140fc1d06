"""Public results pages of a budgets component: the list of its budgets, the published results of one budget
(winners, figures, charts, turnout, why each project won or lost), and the anonymous ballots as a pabulib
file so that anyone can recount."""

from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from concerto.components.budgets import pabulib, results
from concerto.components.budgets.models import Budget
from concerto.core.spaces.lookup import item_for, public_component_for
from concerto.core.spaces.models import Component


def _context(component: Component, **extra) -> dict:
    return {"component": component, "space": component.space, "organisation": component.space.organisation,
            **extra}


def _when(component: Component) -> str:
    """When results can be expected, in a sentence ("" when the vote has closed)."""
    from django.utils.formats import date_format

    window = component.window("voting_open")
    if window.open and window.closes_on:
        return _("The vote is open until %(date)s; the results will be published after it closes.") % {
            "date": date_format(window.closes_on, "j F Y")}
    if window.open:
        return _("The vote is open; the results will be published after it closes.")
    if window.opens_on:
        return _("The vote opens on %(date)s; the results will be published after it closes.") % {
            "date": date_format(window.opens_on, "j F Y")}
    return ""


@require_safe
def results_home(request, org_slug, space_slug, component_id):
    component, can_manage = public_component_for(request, "budgets", space_slug=space_slug, component_id=component_id)
    budgets = []
    for budget in component.budgets.all():
        budget.component = component
        budget.published_result = results.published_result(budget)
        budget.amount_text = results.money(budget.amount)
        budgets.append(budget)
    return render(request, "budgets/results/results_home.html", _context(
        component, budgets=budgets, can_manage=can_manage, when=_when(component)))


@require_safe
def budget_results(request, org_slug, space_slug, component_id, budget_id):
    component, can_manage = public_component_for(request, "budgets", space_slug=space_slug, component_id=component_id)
    budget = item_for(component, Budget, budget_id)
    result = results.published_result(budget)
    if result is None:
        return render(request, "budgets/results/budget_results.html", _context(
            component, budget=budget, report=None, can_manage=can_manage, when=_when(component)))
    result.budget = budget
    return render(request, "budgets/results/budget_results.html", _context(
        component, budget=budget, report=results.report(result), can_manage=can_manage,
        engine_rule=results.ENGINE_RULES.get(result.rule, result.rule),
        download_name=pabulib.pabulib_filename(budget),
    ))


@require_safe
def pabulib_export(request, org_slug, space_slug, component_id, budget_id):
    component, _can_manage = public_component_for(request, "budgets", space_slug=space_slug, component_id=component_id)
    budget = item_for(component, Budget, budget_id)
    result = results.published_result(budget)
    if result is None:
        raise Http404(_("The results of this budget are not published yet."))
    result.budget = budget
    return pabulib_response(result)


def pabulib_response(result) -> HttpResponse:
    # A Warsaw-sized file takes about a second to write: kept in the cache, so that a surge of downloads
    # after the publication costs one. The key names the count, so a new count never gets an old file.
    key = f"budgets:pabulib:{result.pk}:{result.computed_at.isoformat()}:{result.ballots}"
    text = cache.get(key)
    if text is None:
        text = pabulib.pabulib_text(result=result)
        cache.set(key, text, 3600)
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{pabulib.pabulib_filename(result.budget)}"'
    return response
