"""Back-office of a reports component: the queue, a report's handling, services and categories, the
dashboard and the Open311 keys.

Who: agents and administrators of the organisation act; elected officials and moderators read the queue
and the dashboard (moderators may also hide a photo); services and categories are for agents and
administrators, Open311 keys for administrators only. Anything outside the component's organisation is a 404.
"""

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from concerto.components.reports import dashboard as figures
from concerto.components.reports import workflow
from concerto.components.reports.forms_backoffice import (
    AnswerForm,
    ApiKeyForm,
    AssignForm,
    CategoryForm,
    MergeForm,
    NoteForm,
    QuestionForm,
    ServiceForm,
    StatusForm,
)
from concerto.components.reports.models import Category, Open311Key, Report, Service
from concerto.components.reports.permissions import HANDLE_REPORT, HIDE_PHOTO, MANAGE_API_KEYS, READ_REPORTS
from concerto.core.accounts.decorators import backoffice_view
from concerto.core.exports import export_response
from concerto.core.forms import form_add_errors, form_saved
from concerto.core.spaces.lookup import component_for, item_for
from concerto.core.territory.models import Organisation

MANAGE = "spaces.manage_space"
PER_PAGE = 50
SORTS = {"recent": ("-created_at", "-pk"), "oldest": ("created_at", "pk"),
         "supports": ("-support_count", "-created_at", "-pk")}


def _can_act(request) -> bool:
    return request.user.has_perm(HANDLE_REPORT, request.organisation)


def _communes(component) -> list[Organisation]:
    organisation = component.space.organisation
    if organisation.kind == Organisation.Kind.COMMUNE:
        return [organisation]
    return list(Organisation.objects.filter(pk__in=organisation.descendant_ids(), kind=Organisation.Kind.COMMUNE))


def _commune(request, component) -> tuple[Organisation | None, list[Organisation]]:
    communes = _communes(component)
    slug = (request.POST.get("commune") or request.GET.get("commune") or "")[:100]
    chosen = next((c for c in communes if c.slug == slug), None)
    if chosen is None and len(communes) == 1:
        chosen = communes[0]
    return chosen, communes


def _context(request, component, **extra) -> dict:
    return {"component": component, "space": component.space, "organisation": component.space.organisation,
            "can_act": _can_act(request), "is_admin": request.user.has_perm(MANAGE_API_KEYS, component), **extra}


def _url(component, name, *args) -> str:
    space = component.space
    return reverse(f"reports_backoffice:{name}", args=[space.organisation.slug, space.slug, component.pk, *args])


def _int(value) -> int | None:
    try:
        number = int(str(value)[:12])
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


def _date(value) -> date | None:
    try:
        return date.fromisoformat(str(value or "")[:10])
    except ValueError:
        return None


# --- Queue ----------------------------------------------------------------------------------------------

def _filtered(request, component):
    reports = workflow.component_reports(component)
    get = request.GET
    chosen = {}
    if (service := _int(get.get("service"))) is not None:
        reports, chosen["service"] = reports.filter(service_id=service), service
    if (category := _int(get.get("category"))) is not None:
        reports, chosen["category"] = reports.filter(category_id=category), category
    if get.get("kind") in Report.Kind.values:
        reports, chosen["kind"] = reports.filter(kind=get["kind"]), get["kind"]
    if get.get("assignee") == "me":
        reports, chosen["assignee"] = reports.filter(assignee=request.user), "me"
    commune, _communes_list = _commune(request, component)
    if commune is not None and request.GET.get("commune"):
        reports, chosen["commune"] = reports.filter(organisation=commune), commune.slug
    if start := _date(get.get("since")):
        reports, chosen["since"] = reports.filter(created_at__date__gte=start), start.isoformat()
    if end := _date(get.get("until")):
        reports, chosen["until"] = reports.filter(created_at__date__lte=end), end.isoformat()
    return reports, chosen


@require_safe
@backoffice_view(READ_REPORTS)
def queue(request, org_slug, space_slug, component_id):
    component = component_for(
        request, "reports", space_slug=space_slug, component_id=component_id, permission=READ_REPORTS)
    reports, chosen = _filtered(request, component)
    counts = dict(reports.values_list("status").annotate(n=Count("pk")).order_by())
    status = request.GET.get("status", "")
    if status in Report.Status.values:
        reports, chosen["status"] = reports.filter(status=status), status
    sort = request.GET.get("sort", "recent")
    sort = sort if sort in SORTS else "recent"
    page = Paginator(reports.select_related("category", "service", "assignee", "organisation")
                     .order_by(*SORTS[sort]), PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    organisation_ids = component.space.organisation.descendant_ids()
    return render(request, "reports/backoffice/queue.html", _context(
        request, component, page=page, chosen=chosen, sort=sort, query=query.urlencode(),
        status_counts=[(value, label, counts.get(value, 0)) for value, label in Report.Status.choices],
        statuses=Report.Status.choices, kinds=Report.Kind.choices,
        services=Service.objects.filter(organisation_id__in=organisation_ids),
        categories=Category.objects.filter(organisation_id__in=organisation_ids),
        communes=_communes(component), agents=workflow.assignable_agents(component.space.organisation),
        bulk_statuses=[(v, label) for v, label in Report.Status.choices if v != Report.Status.DUPLICATE],
    ))


@require_POST
@backoffice_view(MANAGE)
def bulk_action(request, org_slug, space_slug, component_id):
    component = component_for(request, "reports", space_slug=space_slug, component_id=component_id)
    ids = [number for number in (_int(value) for value in request.POST.getlist("reports")[:500]) if number]
    reports = list(workflow.component_reports(component).filter(pk__in=ids))
    assignee = None
    if request.POST.get("action") == "assign" and request.POST.get("assignee"):
        agent_id = _int(request.POST.get("assignee"))
        assignee = workflow.assignable_agents(component.space.organisation).filter(pk=agent_id).first()
        if assignee is None:
            messages.error(request, _("Choose an agent in the list."))
            return redirect(_url(component, "index"))
    if not reports:
        messages.error(request, _("Select at least one report."))
        return redirect(_url(component, "index"))
    try:
        done, refused = workflow.bulk_apply(
            actor=request.user, reports=reports, action=request.POST.get("action", ""),
            status=request.POST.get("status", ""), reason=request.POST.get("reason", ""),
            public_text=request.POST.get("public_text", ""), assignee=assignee)
    except workflow.WorkflowError as error:
        messages.error(request, error.message)
        return redirect(_url(component, "index"))
    messages.success(request, _("%(done)s report(s) changed, %(refused)s refused.") % {
        "done": len(done), "refused": len(refused)})
    for report, why in refused[:20]:
        messages.warning(request, _("No. %(number)s: %(why)s") % {"number": report.pk, "why": why})
    return redirect(_url(component, "index"))


# --- One report -----------------------------------------------------------------------------------------

def _report(component, report_id) -> Report:
    return item_for(component, workflow.component_reports(component).select_related(
        "category", "service", "assignee", "author", "organisation", "duplicate_of"), report_id, field=None)


@require_http_methods(["GET", "POST"])
@backoffice_view(HANDLE_REPORT, read=READ_REPORTS)
def report_manage(request, org_slug, space_slug, component_id, report_id):
    component = component_for(
        request, "reports", space_slug=space_slug, component_id=component_id, permission=READ_REPORTS)
    report = _report(component, report_id)
    agents = workflow.assignable_agents(report)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    forms = {"status": StatusForm(request.POST if action == "status" else None, report=report),
             "answer": AnswerForm(request.POST if action == "answer" else None,
                                  initial={"text": report.public_answer}),
             "note": NoteForm(request.POST if action == "note" else None),
             "assign": AssignForm(request.POST if action == "assign" else None, agents=agents,
                                  initial={"assignee": report.assignee_id}),
             "merge": MergeForm()}
    status_code = 200
    if request.method == "POST":
        form = forms.get(action)
        if form is None:
            messages.error(request, _("Unknown action."))
            status_code = 400
        elif form.is_valid():
            data = form.cleaned_data
            try:
                if action == "status":
                    workflow.report_transition(actor=request.user, report=report, status=data["status"],
                                               reason=data["reason"], public_text=data["public_text"])
                elif action == "answer":
                    workflow.report_answer(actor=request.user, report=report, text=data["text"])
                elif action == "note":
                    workflow.report_note_add(actor=request.user, report=report, text=data["text"])
                else:
                    workflow.report_assign(actor=request.user, report=report, assignee=data["assignee"])
            except workflow.WorkflowError as error:
                form.add_error(None, error.message)
                status_code = 400
            else:
                messages.success(request, _("Your change is saved."))
                return redirect(_url(component, "report", report.pk))
        else:
            status_code = 400
    can_act = _can_act(request)
    return render(request, "reports/backoffice/report.html", _context(
        request, component, report=report, forms=forms, candidates=_duplicate_candidates(report) if can_act else [],
        photos=report.photos.all(), history=workflow.history_entries(report),
        notes=report.notes.select_related("author") if can_act else [],
        duplicates=report.duplicates.all(),
        can_moderate=request.user.has_perm(HIDE_PHOTO, component),
    ), status=status_code)


def _duplicate_candidates(report: Report) -> list[Report]:
    """Open reports of the same category within 150 m: the likely originals of a duplicate."""
    if report.status == Report.Status.DUPLICATE:
        return []
    from concerto.components.reports import queries

    nearby = getattr(queries, "nearby_open", None)
    if nearby is None:
        return []
    found = nearby(category=report.category_id, latitude=report.latitude, longitude=report.longitude,
                   radius_m=150, limit=6)
    return [candidate for candidate in found if candidate.pk != report.pk][:5]


@require_safe
@backoffice_view(READ_REPORTS)
def duplicates(request, org_slug, space_slug, component_id):
    """Likely duplicates: pairs of open reports whose descriptions say much the same thing (the engine of similar
    ideas), with their distance; an agent merges the newer into the older in one click (report_merge)."""
    from concerto.components.reports import queries

    component = component_for(
        request, "reports", space_slug=space_slug, component_id=component_id, permission=READ_REPORTS)
    return render(request, "reports/backoffice/duplicates.html", _context(
        request, component, pairs=queries.likely_duplicates(component.space.organisation),
        recent=queries.DUPLICATES_RECENT, can_merge=request.user.has_perm(MANAGE, component)))


@require_POST
@backoffice_view(MANAGE)
def report_merge(request, org_slug, space_slug, component_id, report_id):
    component = component_for(request, "reports", space_slug=space_slug, component_id=component_id)
    report = _report(component, report_id)
    form = MergeForm(request.POST)
    into = None
    if form.is_valid():
        into = workflow.component_reports(component).filter(pk=form.cleaned_data["into"]).first()
    if into is None:
        messages.error(request, _("Give the number of a report of this queue."))
        return redirect(_url(component, "report", report.pk))
    try:
        workflow.report_merge(actor=request.user, report=report, into=into)
    except workflow.WorkflowError as error:
        messages.error(request, error.message)
        return redirect(_url(component, "report", report.pk))
    messages.success(request, _("The report is merged into no. %(number)s.") % {"number": into.pk})
    if request.POST.get("back") == "duplicates":  # a merge from the likely duplicates goes back to them
        return redirect(_url(component, "duplicates"))
    return redirect(_url(component, "report", into.pk))


@require_POST
@backoffice_view(HIDE_PHOTO)
def photo_hide(request, org_slug, space_slug, component_id, report_id, photo_id):
    component = component_for(
        request, "reports", space_slug=space_slug, component_id=component_id, permission=HIDE_PHOTO)
    report = _report(component, report_id)
    photo = report.photos.filter(pk=photo_id).first()
    if photo is None:
        raise Http404(_("This photo does not exist."))
    workflow.photo_hide(actor=request.user, photo=photo, hidden=request.POST.get("show") != "1")
    messages.success(request, _("Your change is saved."))
    return redirect(_url(component, "report", report.pk))


# --- Services and categories ----------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def service_list(request, org_slug, space_slug, component_id):
    component = component_for(request, "reports", space_slug=space_slug, component_id=component_id)
    commune, communes = _commune(request, component)
    form = ServiceForm(request.POST or None)
    if request.method == "POST" and commune is None:
        form.add_error(None, _("Choose the commune."))
    elif form_saved(request, form, lambda: workflow.service_create(
            actor=request.user, organisation=commune, name=form.cleaned_data["name"],
            email=form.cleaned_data["email"]), done=_("The service is added.")):
        return redirect(_url(component, "services") + f"?commune={commune.slug}")
    services = Service.objects.filter(organisation=commune) if commune else Service.objects.none()
    return render(request, "reports/backoffice/services.html", _context(
        request, component, form=form, commune=commune, communes=communes,
        services=services.annotate(n=Count("reports"))), status=400 if form.errors else 200)


def _in_component(component, model, pk):
    """PK of MODEL (a service, a category, a key) of the component's organisation or a commune below it."""
    organisations = component.space.organisation.descendant_ids()
    return item_for(component, model.objects.filter(organisation_id__in=organisations), pk, field=None)


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def service_edit(request, org_slug, space_slug, component_id, service_id):
    component = component_for(request, "reports", space_slug=space_slug, component_id=component_id)
    service = _in_component(component, Service, service_id)
    form = ServiceForm(request.POST or None, initial={"name": service.name, "email": service.email,
                                                       "active": service.active})
    if form_saved(request, form, lambda: workflow.service_update(actor=request.user, service=service,
                                                                 **form.cleaned_data),
                  done=_("Your changes are saved.")):
        return redirect(_url(component, "services") + f"?commune={service.organisation.slug}")
    return render(request, "reports/backoffice/service_form.html", _context(
        request, component, form=form, service=service), status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def category_list(request, org_slug, space_slug, component_id):
    component = component_for(request, "reports", space_slug=space_slug, component_id=component_id)
    commune, communes = _commune(request, component)
    services = Service.objects.filter(organisation=commune) if commune else Service.objects.none()
    form = CategoryForm(request.POST or None, services=services)
    if request.method == "POST" and commune is None:
        form.add_error(None, _("Choose the commune."))
    elif form_saved(request, form, lambda: workflow.category_create(actor=request.user, organisation=commune,
                                                                    **form.cleaned_data),
                    done=_("The category is added.")):
        return redirect(_url(component, "categories") + f"?commune={commune.slug}")
    categories = (Category.objects.filter(organisation=commune) if commune else Category.objects.none())
    return render(request, "reports/backoffice/categories.html", _context(
        request, component, form=form, commune=commune, communes=communes,
        categories=categories.select_related("service").prefetch_related("questions")),
        status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def category_edit(request, org_slug, space_slug, component_id, category_id):
    component = component_for(request, "reports", space_slug=space_slug, component_id=component_id)
    category = _in_component(component, Category, category_id)
    services = Service.objects.filter(organisation=category.organisation)
    action = request.POST.get("action", "category") if request.method == "POST" else ""
    initial = {name: getattr(category, name) for name in workflow.CATEGORY_FIELDS}
    form = CategoryForm(request.POST if action == "category" else None, services=services, initial=initial)
    question_form = QuestionForm(request.POST if action == "question" else None)
    # Only the form of ACTION is bound: the other one is never saved.
    if form_saved(request, form, lambda: workflow.category_update(actor=request.user, category=category,
                                                                  **form.cleaned_data),
                  done=_("Your changes are saved.")):
        return redirect(_url(component, "categories") + f"?commune={category.organisation.slug}")
    if form_saved(request, question_form, lambda: workflow.category_question_create(
            actor=request.user, category=category, **question_form.cleaned_data), done=_("The question is added.")):
        return redirect(_url(component, "category_edit", category.pk))
    if action == "question_delete":
        question = category.questions.filter(pk=_int(request.POST.get("question"))).first()
        if question is not None:
            workflow.category_question_delete(actor=request.user, question=question)
            messages.success(request, _("The question is deleted."))
        return redirect(_url(component, "category_edit", category.pk))
    has_errors = bool(form.errors or question_form.errors)
    return render(request, "reports/backoffice/category_form.html", _context(
        request, component, form=form, question_form=question_form, category=category,
        questions=category.questions.all()), status=400 if has_errors else 200)


# --- Dashboard ------------------------------------------------------------------------------------------

def _dashboard_filters(request, component) -> tuple[figures.Filters, dict]:
    communes = _communes(component)
    slug = request.GET.get("commune", "")
    commune = next((c for c in communes if c.slug == slug), None)
    by = "week" if request.GET.get("by") == "week" else "month"
    filters = figures.Filters(organisation_ids=component.space.organisation.descendant_ids(),
                              commune_id=commune.pk if commune else None,
                              start=_date(request.GET.get("since")), end=_date(request.GET.get("until")), by=by)
    return filters, {"communes": communes, "commune": commune, "by": by,
                     "since": filters.start.isoformat() if filters.start else "",
                     "until": filters.end.isoformat() if filters.end else ""}


@require_safe
@backoffice_view(READ_REPORTS)
def dashboard(request, org_slug, space_slug, component_id):
    component = component_for(
        request, "reports", space_slug=space_slug, component_id=component_id, permission=READ_REPORTS)
    filters, chosen = _dashboard_filters(request, component)
    board = figures.build(filters)
    if request.GET.get("format") == "geojson":
        return JsonResponse(figures.cells_geojson(board))
    for rows, value in ((board.by_kind, "total"), (board.by_category, "total"), (board.hot_spots, "count"),
                        (board.congratulations, "count")):
        figures.bar_widths(rows, value)
    # The median's bar and the 90th percentile's, on the scale of the longest 90th percentile.
    figures.bar_widths(board.resolution, "median", longest="p90")
    figures.bar_widths(board.resolution, "p90", name="width90")
    query = request.GET.copy()
    query.pop("format", None)
    return render(request, "reports/backoffice/dashboard.html", _context(
        request, component, board=board, kinds=Report.Kind.labels, query=query.urlencode(),
        points_url=request.path + "?" + (query.urlencode() + "&" if query else "") + "format=geojson", **chosen))


@require_safe
@backoffice_view(READ_REPORTS)
def dashboard_csv(request, org_slug, space_slug, component_id):
    component = component_for(
        request, "reports", space_slug=space_slug, component_id=component_id, permission=READ_REPORTS)
    filters, _chosen = _dashboard_filters(request, component)
    # A small table, sent whole.
    return export_response(figures.csv_rows(figures.build(filters)), ["section", "label", "period", "value"],
                           f"signalements-tableau-{component.pk}.csv", stream=False)


# --- Open311 keys ---------------------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def api_keys(request, org_slug, space_slug, component_id):
    component = component_for(
        request, "reports", space_slug=space_slug, component_id=component_id, permission=MANAGE_API_KEYS)
    commune, communes = _commune(request, component)
    form = ApiKeyForm(request.POST or None)
    raw = None
    if request.method == "POST":
        if commune is None:
            form.add_error(None, _("Choose the commune."))
        elif form.is_valid():
            try:
                _key, raw = workflow.open311_key_create(actor=request.user, organisation=commune,
                                                        name=form.cleaned_data["name"])
            except ValidationError as error:
                form_add_errors(form, error)
            else:
                form = ApiKeyForm()
    keys = Open311Key.objects.filter(organisation=commune) if commune else Open311Key.objects.none()
    response = render(request, "reports/backoffice/api_keys.html", _context(
        request, component, form=form, raw=raw, keys=keys, commune=commune, communes=communes),
        status=400 if form.errors else 200)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@backoffice_view(MANAGE)
def api_key_revoke(request, org_slug, space_slug, component_id, key_id):
    component = component_for(
        request, "reports", space_slug=space_slug, component_id=component_id, permission=MANAGE_API_KEYS)
    key = _in_component(component, Open311Key, key_id)
    workflow.open311_key_revoke(actor=request.user, key=key)
    messages.success(request, _("The key is revoked: applications using it are refused from now on."))
    return redirect(_url(component, "api_keys") + f"?commune={key.organisation.slug}")

