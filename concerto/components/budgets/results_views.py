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
from concerto.core.spaces.models import Component


def get_component(request, space_slug: str, component_id: int) -> tuple[Component, bool]:
    """The budgets component named in the URL, within the request's organisation, and whether the user
    manages it. Unpublished components and spaces are a 404 except for the organisation's managers."""
    component = (
        Component.objects.select_related("space__organisation").prefetch_related("space__steps")
        .filter(pk=component_id, kind="budgets", space__slug=space_slug, space__organisation=request.organisation)
        .first()
    )
    if component is None:
        raise Http404(_("This participatory budget does not exist."))
    can_manage = request.user.has_perm("spaces.manage_space", request.organisation)
    if not can_manage and not (component.published and component.space.is_published):
        raise Http404(_("This participatory budget does not exist."))
    return component, can_manage


def _budget(component: Component, budget_id: int) -> Budget:
    budget = component.budgets.filter(pk=budget_id).first()
    if budget is None:
        raise Http404(_("This budget does not exist."))
    budget.component = component
    return budget


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
    component, can_manage = get_component(request, space_slug, component_id)
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
    component, can_manage = get_component(request, space_slug, component_id)
    budget = _budget(component, budget_id)
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
    component, _can_manage = get_component(request, space_slug, component_id)
    budget = _budget(component, budget_id)
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
