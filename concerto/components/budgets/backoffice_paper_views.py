"""Back-office: paper ballots, keyed twice by two different agents (double entry).

The agents and administrators of the organisation key the sheets; only administrators settle the sheets whose
two entries differ, by keying them a third time. The component must belong to the organisation of the URL:
anything else is a 404, and a user without a role here gets a 403 page.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from concerto.components.budgets import ballots, paper
from concerto.components.budgets.forms_vote import PaperEntryForm
from concerto.components.budgets.models import Budget, PaperEntry
from concerto.components.budgets.permissions import DECIDE_PAPER
from concerto.core.accounts.decorators import backoffice_view
from concerto.core.spaces.lookup import component_for, item_for

MANAGE = "spaces.manage_space"
READ = "spaces.read_space"  # elected officials read the figures and the sheets to check, without the forms
RECENT = 20


def _budget(request, space_slug: str, component_id: int, budget_id: int) -> Budget:
    component = component_for(request, "budgets", space_slug=space_slug, component_id=component_id)
    return item_for(component, Budget.objects.select_related("scope"), budget_id)


def _projects(budget: Budget) -> list:
    return list(ballots.ballot_projects(budget))


def _context(budget: Budget, **extra) -> dict:
    component = budget.component
    space = component.space
    args = [space.organisation.slug, space.slug, component.pk, budget.pk]
    return {"component": component, "space": space, "organisation": space.organisation, "budget": budget,
            "counts": paper.paper_counts(budget=budget),
            "paper_url": reverse("budgets_backoffice:paper", args=args),
            "mismatches_url": reverse("budgets_backoffice:paper_mismatches", args=args),
            "cumulative": budget.ballot_kind == Budget.BallotKind.CUMULATIVE, **extra}


def _describe(entries, projects) -> None:
    """Each entry's choices as the projects' numbers and titles, for people to compare."""
    by_id = {str(project.pk): project for project in projects}
    for entry in entries:
        entry.choice_rows = [
            (by_id.get(project_id), points) for project_id, points in sorted(
                entry.choices.items(), key=lambda item: (getattr(by_id.get(item[0]), "ballot_number", 0) or 0,
                                                         item[0]))]


def _outcome_message(entry: PaperEntry) -> str:
    status = entry.status
    if status == PaperEntry.Status.WAITING:
        return _("Sheet %(sheet)s is keyed. A second agent must key it too.") % {"sheet": entry.sheet_number}
    if status == PaperEntry.Status.MATCHED:
        return _("Both entries of sheet %(sheet)s agree: the ballot is counted.") % {"sheet": entry.sheet_number}
    if status == PaperEntry.Status.MISMATCH:
        return _("The two entries of sheet %(sheet)s differ: it is listed for checking.") % {
            "sheet": entry.sheet_number}
    if status == PaperEntry.Status.ALREADY_VOTED:
        return _("Sheet %(sheet)s is refused: this person already voted.") % {"sheet": entry.sheet_number}
    return _("Sheet %(sheet)s is refused: %(reason)s") % {"sheet": entry.sheet_number, "reason": entry.note}


def _key(request, budget: Budget, form: PaperEntryForm, *, decide: bool):
    """Key FORM's sheet; the entry, or None with the errors on the form."""
    data = form.cleaned_data
    try:
        return paper.paper_entry_add(
            agent=request.user, budget=budget, polling_station=data["polling_station"],
            sheet_number=data["sheet_number"], last_name=data["last_name"], first_name=data["first_name"],
            birth_date=data["birth_date"], choices=form.chosen(), decide=decide, commune=data.get("commune"))
    except paper.PaperError as error:
        field = error.field if error.field in form.fields else None
        form.add_error(field, error.message)
        return None


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE, read=READ)
def paper_entry(request, org_slug, space_slug, component_id, budget_id):
    budget = _budget(request, space_slug, component_id, budget_id)
    projects = _projects(budget)
    form = PaperEntryForm(request.POST or None, budget=budget, projects=projects)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            entry = _key(request, budget, form, decide=False)
            if entry is not None:
                level = messages.SUCCESS if entry.status in (PaperEntry.Status.WAITING, PaperEntry.Status.MATCHED) \
                    else messages.WARNING
                messages.add_message(request, level, _outcome_message(entry))
                return redirect(request.path)
        status = 400
    recent = list(PaperEntry.objects.filter(budget=budget, entered_by=request.user).order_by("-created_at", "-pk")
                  [:RECENT])
    _describe(recent, projects)
    return render(request, "budgets/backoffice/paper/entry.html", _context(
        budget, form=form, projects=projects, recent=recent,
        vote_open=budget.component.window("voting_open").open, refusal=paper.paper_refusal(budget),
        can_key=request.user.has_perm(MANAGE, budget.component),
    ), status=status)


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE, read=READ)
def paper_mismatches(request, org_slug, space_slug, component_id, budget_id):
    budget = _budget(request, space_slug, component_id, budget_id)
    can_decide = request.user.has_perm(DECIDE_PAPER, budget.component)
    projects = _projects(budget)
    sheets = paper.paper_mismatches(budget=budget)
    for sheet in sheets:
        _describe(sheet["entries"], projects)
        sheet["same_person"] = len({entry.voter_key for entry in sheet["entries"]}) == 1
    chosen_sheet = (request.POST.get("sheet_number") or request.GET.get("feuille") or "").strip()[:40]
    form = None
    status = 200
    if request.method == "POST":
        if not can_decide:
            raise PermissionDenied(_("Only an administrator of this organisation settles the sheets to check."))
        form = PaperEntryForm(request.POST, budget=budget, projects=projects)
        if form.is_valid():
            entry = _key(request, budget, form, decide=True)
            if entry is not None:
                messages.success(request, _("Sheet %(sheet)s is settled. %(outcome)s") % {
                    "sheet": entry.sheet_number, "outcome": _outcome_message(entry)})
                return redirect(request.path)
        status = 400
    elif can_decide and chosen_sheet:
        first = next((s["entries"][0] for s in sheets if s["sheet_number"] == chosen_sheet), None)
        if first is not None:
            form = PaperEntryForm(initial={"sheet_number": first.sheet_number,
                                           "polling_station": first.polling_station},
                                  budget=budget, projects=projects)
    return render(request, "budgets/backoffice/paper/mismatches.html", _context(
        budget, sheets=sheets, can_decide=can_decide, form=form, projects=projects, decide_sheet=chosen_sheet,
    ), status=status)
