"""Back-office of the projects of a budgets component: budgets (envelopes), categories, the review of each
project (evaluations, merges), the list of projects put to the vote, the follow-up of winning projects and
the open-data export.

Access: any role on the organisation opens the back-office (backoffice_view), then each page asks for its
own roles: the review is read by evaluators, agents, administrators and elected officials, and written by
all but the elected officials; budgets, categories, the list put to the vote and the follow-up are for
agents and administrators. The component must belong to the organisation in the URL: anything else is a
404, so the agent of another commune learns nothing.
"""

import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_safe

from concerto.components.budgets import services
from concerto.components.budgets.forms import (
    STATUS_FILTERS,
    BudgetForm,
    EvaluationForm,
    MergeForm,
    ProgressForm,
    filter_by_status,
)
from concerto.components.budgets.models import Budget, Category, Project
from concerto.components.budgets.permissions import MANAGE, READ_REVIEW, REVIEW
from concerto.core.accounts.decorators import backoffice_view
from concerto.core.exports import export_response
from concerto.core.jobs.exports import export_is_big, export_start
from concerto.core.spaces.categories import views as category_pages
from concerto.core.spaces.lookup import component_for, item_for
from concerto.core.spaces.models import Component
from concerto.core.texts import similar as similar_texts

PER_PAGE = 50


READERS_ONLY = _lazy("Only the evaluators, agents, administrators and elected officials of this organisation see "
                     "the review of projects.")
MANAGERS_ONLY = _lazy("Only the agents and administrators of this organisation can do this.")
readers = backoffice_view(READ_REVIEW, denied=READERS_ONLY)
managers = backoffice_view(MANAGE, denied=MANAGERS_ONLY)
# The budgets (envelopes) and their lists put to the vote inform a decision: elected officials read them too,
# without their forms; the changes stay with the agents and administrators.
READ = "spaces.read_space"
managers_read_by_officials = backoffice_view(MANAGE, read=READ, denied=MANAGERS_ONLY)


def _project(component: Component, project_id: int) -> Project:
    return item_for(component, Project.objects.select_related("category", "author", "budget", "commune",
                                                              "merged_into"), project_id)


def _context(request, component: Component, **extra) -> dict:
    organisation = component.space.organisation
    return {"component": component, "space": component.space, "organisation": organisation,
            "can_review": request.user.has_perm(REVIEW, component),
            "can_manage": request.user.has_perm(MANAGE, component), **extra}


# Projects ---------------------------------------------------------------------------------------------

@require_safe
@readers
def project_list(request, org_slug, space_slug, component_id):
    component = component_for(request, "budgets", space_slug=space_slug, component_id=component_id)
    status = request.GET.get("statut", "")
    status = status if status in dict(STATUS_FILTERS) else ""
    q = request.GET.get("q", "").replace("\x00", "")[:100].strip()
    budgets = list(Budget.objects.filter(component=component))
    budget_id = request.GET.get("enveloppe", "")
    budget_id = int(budget_id) if budget_id.isdigit() and int(budget_id) in {b.pk for b in budgets} else None
    projects = component.budget_projects.all()
    if q:
        projects = projects.filter(Q(title__icontains=q) | Q(text__icontains=q))
    if budget_id:
        projects = projects.filter(budget_id=budget_id)
    projects = filter_by_status(projects, status).select_related("budget", "category", "merged_into")
    page = Paginator(projects.order_by("-created_at", "-pk"), PER_PAGE).get_page(request.GET.get("page"))
    for project in page.object_list:
        project.component = component
    return render(request, "budgets/backoffice/projects/project_list.html", _context(
        request, component, page=page, status=status, q=q, statuses=STATUS_FILTERS, budgets=budgets,
        budget_id=budget_id))


# The agents' likely duplicates: the most recent projects compared with all the others of the component.
DUPLICATES_RECENT = 100


@require_safe
@readers
def project_duplicates(request, org_slug, space_slug, component_id):
    """Likely duplicates: pairs of the component's projects (neither merged nor withdrawn) whose titles and
    descriptions say much the same thing (the engine of similar ideas, concerto/core/texts/similar.py), the closest
    first; a reviewer merges the newer into the older in one click (project_merge, which comes back here)."""
    component = component_for(request, "budgets", space_slug=space_slug, component_id=component_id)
    candidates = component.budget_projects.filter(merged_into__isnull=True, withdrawn_at__isnull=True)
    scope = similar_texts.queryset_scope(f"budgets-review:{component.pk}", candidates)
    pairs = similar_texts.likely_duplicates(scope, candidates, recent=DUPLICATES_RECENT)
    return render(request, "budgets/backoffice/projects/project_duplicates.html", _context(
        request, component, pairs=pairs, recent=DUPLICATES_RECENT))


@require_http_methods(["GET", "POST"])
@managers
def ideas_convert(request, org_slug, space_slug, component_id):
    """The ideas (proposals) of the space that may become projects; the ticked ones become projects at once."""
    component = component_for(request, "budgets", space_slug=space_slug, component_id=component_id)
    budgets = list(Budget.objects.filter(component=component).order_by("pk"))
    status = 200
    if request.method == "POST":
        budget_id = request.POST.get("budget", "")
        budget = next((b for b in budgets if str(b.pk) == budget_id), None)
        try:
            if budget_id and budget is None:
                raise services.ProjectError(_("Choose a budget of this participatory budget."))
            projects = services.projects_from_ideas(actor=request.user, component=component, budget=budget,
                                                    keys=request.POST.getlist("ideas")[:500])
        except services.ProjectError as error:
            messages.error(request, error.message)
            status = 400
        else:
            messages.success(request, _("%(count)s idea(s) became projects. Their authors are notified; the people "
                                        "who supported them follow the projects.") % {"count": len(projects)})
            return redirect(reverse("budgets_backoffice:ideas", args=[org_slug, space_slug, component.pk]))
    return render(request, "budgets/backoffice/projects/ideas_convert.html", _context(
        request, component, ideas=services.ideas_eligible(component), budgets=budgets), status=status)


@require_http_methods(["GET", "POST"])
@backoffice_view(REVIEW, read=READ_REVIEW, denied=READERS_ONLY)
def project_review(request, org_slug, space_slug, component_id, project_id):
    """The evaluation form and the history of evaluations. Elected officials read it without the form."""
    component = component_for(request, "budgets", space_slug=space_slug, component_id=component_id)
    project = _project(component, project_id)
    can_review = request.user.has_perm(REVIEW, request.organisation)
    initial = {"eligibility": project.eligibility, "eligibility_reason": project.eligibility_reason,
               "feasibility": project.feasibility, "cost_estimate": project.final_cost,
               "public_answer": project.public_answer}
    form = EvaluationForm(request.POST or None, initial=initial) if can_review else None
    refusal = ""
    if form is not None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.project_evaluate(
                actor=request.user, project=project, eligibility=data["eligibility"],
                eligibility_reason=data["eligibility_reason"], feasibility=data["feasibility"],
                cost_estimate=data["cost_estimate"], notes=data["notes"], public_answer=data["public_answer"])
        except ValidationError as error:
            form.add_service_errors(error)
        except services.ProjectError as error:
            refusal = error.message
        else:
            messages.success(request, _("The evaluation is saved. When the public answer changed, the author and "
                                        "the followers of the project are notified."))
            return redirect("budgets_backoffice:review", org_slug, space_slug, component.pk, project.pk)
    evaluations = list(project.evaluations.select_related("evaluator"))
    status = 400 if (form is not None and form.errors) else 403 if refusal else 200
    return render(request, "budgets/backoffice/projects/project_review.html", _context(
        request, component, project=project, form=form, evaluations=evaluations, refusal=refusal,
        merged_from=list(project.merged_projects.all())), status=status)


@require_http_methods(["GET", "POST"])
@backoffice_view(REVIEW, denied=READERS_ONLY)
def project_merge(request, org_slug, space_slug, component_id, project_id):
    component = component_for(request, "budgets", space_slug=space_slug, component_id=component_id)
    project = _project(component, project_id)
    form = MergeForm(request.POST or None, project=project)
    refusal = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.project_merge(actor=request.user, project=project, into=form.cleaned_data["into"])
        except ValidationError as error:
            form.add_service_errors(error)
        except services.ProjectError as error:
            refusal = error.message
        else:
            messages.success(request, _("The projects are merged. Their authors are notified."))
            if request.POST.get("back") == "duplicates":  # a merge from the likely duplicates goes back to them
                return redirect("budgets_backoffice:duplicates", org_slug, space_slug, component.pk)
            return redirect("budgets_backoffice:review", org_slug, space_slug, component.pk, project.pk)
    status = 400 if form.errors else 403 if refusal else 200
    return render(request, "budgets/backoffice/projects/project_merge.html", _context(
        request, component, project=project, form=form, refusal=refusal), status=status)


@require_http_methods(["GET", "POST"])
@managers
def project_followup(request, org_slug, space_slug, component_id, project_id):
    """A winning project's follow-up: its action in the kernel's decisions and actions (made with the first news),
    with a form for news; the action's own page there has every other field."""
    component = component_for(request, "budgets", space_slug=space_slug, component_id=component_id)
    project = _project(component, project_id)
    refusal = "" if project.selected else _("Only winning projects have a follow-up. The results, once "
                                            "published, say which projects won.")
    action = services.project_action(project)
    form = ProgressForm(request.POST or None, request.FILES or None, initial={
        "stage": action.stage, "progress": action.progress, "works_start": action.planned_start,
        "works_end": action.planned_end} if action else None)
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            services.progress_update_create(actor=request.user, project=project, **form.values())
        except ValidationError as error:
            form.add_service_errors(error)
        except services.ProjectError as error:
            refusal = error.message
        else:
            messages.success(request, _("The news is published. The people of the project hear of each new "
                                        "stage."))
            return redirect("budgets_backoffice:followup", org_slug, space_slug, component.pk, project.pk)
    status = 400 if form.errors else 403 if (refusal and request.method == "POST") else 200
    return render(request, "budgets/backoffice/projects/project_followup.html", _context(
        request, component, project=project, form=form, refusal=refusal, action=action), status=status)


# Budgets ------------------------------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
@managers_read_by_officials
def budget_list(request, org_slug, space_slug, component_id):
    component = component_for(request, "budgets", space_slug=space_slug, component_id=component_id)
    organisation = component.space.organisation
    form = BudgetForm(request.POST or None, organisation=organisation,
                      initial={"ballot_kind": Budget.BallotKind.APPROVAL, "rule": Budget.Rule.GREEDY, "points": 10})
    if request.method == "POST" and form.is_valid():
        try:
            services.budget_create(actor=request.user, component=component, position=form.cleaned_data["position"],
                                   **form.values())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The budget is added."))
            return redirect("budgets_backoffice:budgets", org_slug, space_slug, component.pk)
    return render(request, "budgets/backoffice/projects/budget_list.html", _context(
        request, component, form=form, budgets=services.budget_figures(component)),
        status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@managers
def budget_edit(request, org_slug, space_slug, component_id, budget_id):
    component = component_for(request, "budgets", space_slug=space_slug, component_id=component_id)
    budget = item_for(component, Budget, budget_id)
    form = BudgetForm(request.POST or None, organisation=component.space.organisation, initial={
        "name": budget.name, "description": budget.description, "amount": budget.amount, "scope": budget.scope_id,
        "ballot_kind": budget.ballot_kind, "max_choices": budget.max_choices, "min_share": budget.min_share,
        "points": budget.points, "max_points_per_project": budget.max_points_per_project, "rule": budget.rule,
        "position": budget.position})
    refusal = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.budget_update(actor=request.user, budget=budget, position=form.cleaned_data["position"],
                                   **form.values())
        except ValidationError as error:
            form.add_service_errors(error)
        except services.ProjectError as error:
            refusal = error.message
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("budgets_backoffice:budgets", org_slug, space_slug, component.pk)
    status = 400 if form.errors else 403 if refusal else 200
    return render(request, "budgets/backoffice/projects/budget_form.html", _context(
        request, component, form=form, budget=budget, refusal=refusal,
        blocker=services.budget_change_blocker(budget)), status=status)


_NUMBER = re.compile(r"^\d{1,4}$")


@require_http_methods(["GET", "POST"])
@managers_read_by_officials
def ballot_list(request, org_slug, space_slug, component_id, budget_id):
    """Choose and number the projects put to the vote; publish or unpublish the list (elected officials read it)."""
    component = component_for(request, "budgets", space_slug=space_slug, component_id=component_id)
    budget = item_for(component, Budget, budget_id)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "save")
        try:
            if action == "publish":
                services.ballot_list_publish(actor=request.user, budget=budget)
                messages.success(request, _("The list is published: residents see the projects put to the vote "
                                            "with their final cost. Their authors are notified."))
            elif action == "unpublish":
                services.ballot_list_unpublish(actor=request.user, budget=budget)
                messages.success(request, _("The list is unpublished: you can change it."))
            else:
                chosen = []
                for value in request.POST.getlist("project"):
                    if not value.isdigit() or len(value) > 9:
                        continue
                    number = request.POST.get(f"number_{value}", "").strip()
                    order = int(number) if _NUMBER.match(number) else 10_000
                    chosen.append((order, len(chosen), int(value)))
                services.ballot_list_set(actor=request.user, budget=budget,
                                         project_ids=[pk for _order, _n, pk in sorted(chosen)])
                messages.success(request, _("The list of projects put to the vote is saved. Publish it when it is "
                                            "ready."))
        except services.ProjectError as error:
            errors.append(error.message)
            status = 403
        except ValidationError as error:
            errors.extend(error.messages)
            status = 400
        else:
            return redirect("budgets_backoffice:ballot_list", org_slug, space_slug, component.pk, budget.pk)
        budget.refresh_from_db()
    candidates = list(services.ballot_candidates(budget))
    for project in candidates:
        project.component = component
    others = list(budget.projects.filter(merged_into__isnull=True, withdrawn_at__isnull=True, hidden_at__isnull=True)
                  .exclude(pk__in=[p.pk for p in candidates]).order_by("title"))
    return render(request, "budgets/backoffice/projects/ballot_list.html", _context(
        request, component, budget=budget, candidates=candidates, others=others, errors=errors,
        has_ballots=budget.ballots.exists(),
        total=sum(p.final_cost for p in candidates if p.on_ballot)), status=status)


# Categories -------------------------------------------------------------------------------------------

# The pages are the kernel's (shared with the proposals component); these views give them this component's
# model, templates, access rule and URLs.

def _categories_url(component: Component) -> str:
    return reverse("budgets_backoffice:categories",
                   args=[component.space.organisation.slug, component.space.slug, component.pk])


@require_http_methods(["GET", "POST"])
@managers
def category_list(request, org_slug, space_slug, component_id):
    component = component_for(request, "budgets", space_slug=space_slug, component_id=component_id)
    return category_pages.list_page(request, model=Category, component=component,
                                    template="budgets/backoffice/projects/category_list.html",
                                    context=_context(request, component), list_url=_categories_url(component))


@require_http_methods(["GET", "POST"])
@managers
def category_edit(request, org_slug, space_slug, component_id, category_id):
    component = component_for(request, "budgets", space_slug=space_slug, component_id=component_id)
    category = category_pages.category_or_404(Category, component, category_id)
    return category_pages.edit_page(request, category=category,
                                    template="budgets/backoffice/projects/category_form.html",
                                    context=_context(request, component), list_url=_categories_url(component))


@require_http_methods(["GET", "POST"])
@managers
def category_delete(request, org_slug, space_slug, component_id, category_id):
    component = component_for(request, "budgets", space_slug=space_slug, component_id=component_id)
    category = category_pages.category_or_404(Category, component, category_id)
    return category_pages.delete_page(
        request, category=category, count=category.projects.count(),
        template="budgets/backoffice/projects/category_confirm_delete.html", context=_context(request, component),
        list_url=_categories_url(component),
        deleted=_("The category is deleted. Its projects are kept, without a category."))


# Open data --------------------------------------------------------------------------------------------

@require_safe
@readers
def export_csv(request, org_slug, space_slug, component_id):
    """The public projects, one row each, streamed; no personal data."""
    component = component_for(request, "budgets", space_slug=space_slug, component_id=component_id)
    return _big_export(request, component, "csv") or export_response(
        services.export_rows(component), services.EXPORT_FIELDS, f"projets-{component.pk}.csv")


@require_safe
@readers
def export_xlsx(request, org_slug, space_slug, component_id):
    """The same rows as the CSV, as a spreadsheet."""
    component = component_for(request, "budgets", space_slug=space_slug, component_id=component_id)
    return _big_export(request, component, "xlsx") or export_response(
        services.export_rows(component), services.EXPORT_FIELDS, f"projets-{component.pk}.xlsx", "xlsx",
        sheet_title="projets")


def _big_export(request, component, format: str):
    """Above CONCERTO_EXPORT_JOB_ROWS projects, a background job writes the file; None below."""
    count = services.export_count(component)
    if not export_is_big(count):
        return None
    return export_start(
        request, rows_func="concerto.components.budgets.services.open_data.export_rows_job",
        args={"component_id": component.pk}, count=count, format=format, columns=services.EXPORT_FIELDS,
        filename=f"projets-{component.pk}.{format}", sheet_title="projets", permission=READ_REVIEW,
        title=_("Export of the projects of “%(title)s”") % {"title": component.title})
