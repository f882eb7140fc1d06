"""Public pages of citizen reports: the form (with its category and "already reported nearby" fragments),
the map, the list, the GeoJSON of the map, and each report's public page with "me too" and follow.

A report's public page never shows who sent it (name, email), nor the agents' internal notes."""

import json
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from concerto.components.reports import services, workflow
from concerto.components.reports.forms import (
    FilterForm,
    ReopenForm,
    ReportForm,
    SupportForm,
    organisation_categories,
)
from concerto.components.reports.models import Category, Report, ReportSupport
from concerto.core.forms import form_unchecked, similar_while_typing
from concerto.core.maps import organisation_bounds
from concerto.core.participation.behalf import behalf_field_add, behalf_names
from concerto.core.participation.services import is_following
from concerto.core.ratelimit import rate_limited, sender_of
from concerto.core.spaces.lookup import public_component_for
from concerto.core.texts import similar as similar_texts

MAP_LIMIT = 500
PER_PAGE = 20
NEARBY_RADIUS_M = 50
# What the similar reports are found by: the description being typed.
TYPED_FIELDS = ("description",)


def _context(component, **extra) -> dict:
    return {"component": component, "space": component.space, "organisation": component.space.organisation, **extra}


def _organisation_reports(component):
    organisation = component.space.organisation
    ids = {organisation.pk} | set(organisation.descendant_ids())
    return Report.objects.public().filter(organisation_id__in=ids)


def _filtered(request, component):
    categories = list(organisation_categories(component.space.organisation))
    form = FilterForm(request.GET, categories=categories)
    filters = form.filters()
    reports = _organisation_reports(component)
    if filters["kind"]:
        reports = reports.filter(kind=filters["kind"])
    if filters["category"]:
        reports = reports.filter(category__name=filters["category"])
    if filters["status"] == "open":
        reports = reports.open()
    elif filters["status"]:
        reports = reports.filter(status=filters["status"])
    if filters["period"]:
        reports = reports.filter(created_at__gte=timezone.now() - timedelta(days=int(filters["period"])))
    query = urlencode({key: value for key, value in filters.items() if value})
    return form, filters, reports, query


def _page(request, reports):
    page = Paginator(reports.select_related("category", "organisation"), PER_PAGE).get_page(request.GET.get("page"))
    behalf_names(page.object_list)  # « Au nom de » on the cards, in one query
    return page


@require_safe
def report_map(request, org_slug, space_slug, component_id):
    component, can_manage = public_component_for(request, "reports", space_slug=space_slug, component_id=component_id)
    form, filters, reports, query = _filtered(request, component)
    # Reporting reserved to verified residents: the way to verify (coming back to the form) instead of the button.
    create_url = reverse("reports:create", args=[org_slug, space_slug, component.pk])
    report_refusal = services.report_refusal(user=request.user, component=component, next_url=create_url)
    points_url = reverse("reports:points", args=[org_slug, space_slug, component.pk]) + (f"?{query}" if query else "")
    # The map asks for the reports of the area it shows (grouped by area at a city scale), starting on the commune.
    bounds = organisation_bounds(component.space.organisation)
    return render(request, "reports/report_map.html", _context(
        component, form=form, page=_page(request, reports), query=query, points_url=points_url,
        map_bounds=json.dumps(bounds) if bounds else "", can_manage=can_manage, show_map=True,
        report_refusal=report_refusal))


@require_safe
def report_list(request, org_slug, space_slug, component_id):
    component, can_manage = public_component_for(request, "reports", space_slug=space_slug, component_id=component_id)
    form, filters, reports, query = _filtered(request, component)
    create_url = reverse("reports:create", args=[org_slug, space_slug, component.pk])
    report_refusal = services.report_refusal(user=request.user, component=component, next_url=create_url)
    return render(request, "reports/report_map.html", _context(
        component, form=form, page=_page(request, reports), query=query, can_manage=can_manage, show_map=False,
        report_refusal=report_refusal))


def _bbox(text: str):
    try:
        west, south, east, north = (float(part) for part in text.split(","))
    except (TypeError, ValueError):
        return None
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        return None
    return west, south, east, north


@require_safe
def report_points(request, org_slug, space_slug, component_id):
    """GeoJSON FeatureCollection of the public reports of the filters. With `bbox=west,south,east,north`
    and `zoom`, the fast map query (clusters at low zoom); without, the latest MAP_LIMIT reports."""
    from concerto.components.reports import queries

    component, _can_manage = public_component_for(request, "reports", space_slug=space_slug, component_id=component_id)
    _form, filters, reports, _query = _filtered(request, component)
    bbox = _bbox(request.GET.get("bbox", ""))
    zoom_text = request.GET.get("zoom", "")
    zoom = int(zoom_text) if zoom_text.isdigit() and len(zoom_text) < 3 else 16
    if request.GET.get("bbox") and bbox is None:
        return HttpResponse(json.dumps({"error": _("The bbox must be west,south,east,north in degrees.")}),
                            status=400, content_type="application/json")
    if bbox is not None:
        organisation = component.space.organisation
        organisation_ids = {organisation.pk} | set(organisation.descendant_ids())
        fast = {"kind": filters["kind"], "status": filters["status"]}
        if filters["category"]:
            same_name = Category.objects.filter(organisation_id__in=organisation_ids, name=filters["category"])
            fast["category"] = list(same_name.values_list("pk", flat=True)) or [0]
        if filters["period"]:
            fast["since"] = timezone.now() - timedelta(days=int(filters["period"]))
        try:
            body = queries.map_features(organisation_ids=organisation_ids, bbox=bbox, zoom=zoom, filters=fast)
        except queries.BadQuery:
            return HttpResponse(json.dumps({"error": _("The bbox must be west,south,east,north in degrees.")}),
                                status=400, content_type="application/json")
        # The map's popups name each report as the list does: its category and status, in the visitor's language.
        statuses = dict(Report.Status.choices)
        for feature in body["features"]:
            properties = feature["properties"]
            if not properties.get("cluster"):
                properties["title"] = f"{properties['category']} · {statuses.get(properties['status'], '')}"
    else:
        rows = list(reports.values_list("id", "category__name", "kind", "status", "latitude", "longitude")
                    [:MAP_LIMIT + 1])
        statuses = dict(Report.Status.choices)
        features = [
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [round(lng, 6), round(lat, 6)]},
             "properties": {"title": f"{name} · {statuses.get(status, status)}", "kind": kind, "status": status,
                            "url": reverse("reports_signalements:detail", args=[pk])}}
            for pk, name, kind, status, lat, lng in rows[:MAP_LIMIT]
        ]
        body = {"type": "FeatureCollection", "features": features, "truncated": len(rows) > MAP_LIMIT,
                "limit": MAP_LIMIT}
    return HttpResponse(json.dumps(body, ensure_ascii=False, default=str), content_type="application/geo+json")


def _nearby(*, category, point, user, exclude=None):
    """The open reports near the point; each says whether USER may say "me too" on it (support_refused)."""
    from concerto.components.reports import queries

    if category is None or point is None:
        return []
    latitude, longitude = point
    found = queries.nearby_open(category=category, latitude=latitude, longitude=longitude,
                                radius_m=NEARBY_RADIUS_M, limit=10)
    found = [report for report in found if report.pk != exclude and report.hidden_at is None]
    for report in found:
        report.support_refused = services.support_refusal(user=user, report=report) is not None
    return found


def _similar(component, text: str, point=None) -> list[Report]:
    """Open reports of the commune whose description is close to TEXT (queries.similar_open), each named by its
    category, number and first words, with its "me too" and, when the point is known, how far it is."""
    from concerto.components.reports import queries

    found = queries.similar_open(component.space.organisation, text, point=point)
    for report in found:
        words = Truncator(report.description).words(12)
        report.similar_label = f"{report.category.name} · {_('no.')} {report.pk} · {words}"
        notes = [ngettext("%(counter)s “me too”", "%(counter)s “me too”", report.support_count) % {
            "counter": report.support_count}]
        if report.distance_m is not None:
            notes.append(_("%(distance)s m from your point") % {"distance": _rounded(report.distance_m)})
        report.similar_note = " · ".join(notes)
    return found


def _rounded(metres: float) -> int:
    """A distance as a resident reads it: to 10 m under a kilometre, else to 100 m."""
    step = 10 if metres < 1000 else 100
    return int(round(metres / step) * step)


def _form_page(request, component, form, *, status=200, nearby=None, verification=None, similar=None,
               checked=False):
    if form is not None and verification is None:
        # Similar open reports while the description is typed (htmx, with the point for the distance), announced
        # by the live region; without JavaScript the « Check for similar reports » button, and a failed sending.
        url = reverse("reports:similar", args=[component.space.organisation.slug, component.space.slug,
                                               component.pk])
        similar_while_typing(form, url, "#similar-reports", fields=TYPED_FIELDS, include="closest form")
    return render(request, "reports/report_form.html", _context(
        component, form=form, nearby=nearby or [], support_form=SupportForm(), similar=similar or [],
        checked=checked, refusal=_refusal(request, component), verification_refusal=verification), status=status)


def _refusal(request, component) -> str:
    if not request.user.is_authenticated and not component.setting("anonymous_reports"):
        return _("Sign in to send a report.")
    return ""


@require_http_methods(["GET", "POST"])
@rate_limited
def report_create(request, org_slug, space_slug, component_id):
    component, _can_manage = public_component_for(request, "reports", space_slug=space_slug, component_id=component_id)
    if _refusal(request, component):
        return redirect_to_login(request.get_full_path())
    verification = services.report_refusal(user=request.user, component=component,
                                           next_url=request.get_full_path())
    if verification is not None:
        if request.method == "POST":
            raise verification  # a 403 page with the message; nothing is saved
        return _form_page(request, component, ReportForm(component=component, user=request.user),
                          verification=verification)
    form = behalf_field_add(ReportForm(request.POST or None, request.FILES or None, component=component,
                                       user=request.user), request.user, component.space.organisation)
    if request.method == "POST" and request.POST.get("similar_check"):
        similar = similar_texts.lookup(request, lambda text: _similar(component, text, form.point),
                                       TYPED_FIELDS) or []
        nearby = _nearby(category=form.category, point=form.point, user=request.user)
        return _form_page(request, component, form_unchecked(form), similar=similar, checked=True, nearby=nearby)
    if request.method == "POST":
        if form.is_valid():
            try:
                report = services.report_create(author=request.user, component=component, sender=sender_of(request),
                                                 **form.values())
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("Thank you: your report is sent (no. %(id)s). You will be told what "
                                            "becomes of it.") % {"id": report.pk})
                return redirect(report.get_absolute_url())
        nearby = _nearby(category=form.cleaned_data.get("category") if hasattr(form, "cleaned_data") else None,
                         point=form.point, user=request.user)
        similar = _similar(component, similar_texts.typed(request.POST, TYPED_FIELDS), form.point)
        return _form_page(request, component, form, status=400, nearby=nearby, similar=similar)
    return _form_page(request, component, form)


@require_safe
def category_questions(request, org_slug, space_slug, component_id):
    """The category field and the chosen category's extra questions, for the point typed so far (HTMX)."""
    component, _can_manage = public_component_for(request, "reports", space_slug=space_slug, component_id=component_id)
    form = ReportForm(request.GET, component=component, user=request.user)
    return render(request, "reports/_category_section.html", {"form": form})


@require_safe
def nearby_reports(request, org_slug, space_slug, component_id):
    """Open reports of the chosen category within 50 m of the point (HTMX fragment)."""
    component, _can_manage = public_component_for(request, "reports", space_slug=space_slug, component_id=component_id)
    form = ReportForm(request.GET, component=component, user=request.user)
    return render(request, "reports/_nearby.html", {
        "nearby": _nearby(category=form.category, point=form.point, user=request.user), "support_form": SupportForm(),
        "searched": form.category is not None and form.point is not None, "user": request.user})


@require_safe
def similar_reports(request, org_slug, space_slug, component_id):
    """A small HTML fragment: the commune's open reports whose description is close to the one being typed
    (`description`; the point, when given, for the distance), asked by the form after a pause; rate-limited."""
    component, _can_manage = public_component_for(request, "reports", space_slug=space_slug, component_id=component_id)
    point = ReportForm(request.GET, component=component, user=request.user).point
    return similar_texts.fragment(request, lambda text: _similar(component, text, point), "reports/_similar.html",
                                  TYPED_FIELDS)


def get_report(request, report_id: int) -> Report:
    report = (Report.objects.select_related("category", "organisation", "component__space__organisation",
                                            "duplicate_of").filter(pk=report_id).first())
    if report is None:
        raise Http404(_("This report does not exist."))
    if report.hidden_at is not None and not (
            request.user.is_authenticated
            and request.user.has_perm("participation.moderate", report.organisation)):
        raise Http404(_("This report does not exist."))
    return report


@require_safe
def report_detail(request, report_id):
    report = get_report(request, report_id)
    points = json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [report.longitude, report.latitude]},
         "properties": {"title": report.category.name, "url": report.get_absolute_url()}}]})
    if request.GET.get("format") == "geojson":
        return HttpResponse(points, content_type="application/geo+json")
    return _report_page(request, report)


def _report_page(request, report, *, reopen_form=None, status=200):
    user = request.user
    supported = user.is_authenticated and ReportSupport.objects.filter(report=report, user=user).exists()
    support_refusal = services.support_refusal(user=user, report=report, next_url=request.get_full_path())
    is_author = user.is_authenticated and report.author_id == user.pk
    # The page lives at /signalements/<id>/: it takes the look, header and breadcrumb of the commune at its point.
    request.organisation = report.organisation
    component = report.component
    return render(request, "reports/report_detail.html", {
        "report": report, "history": workflow.history_entries(report),
        "photos": [p for p in report.photos.all() if p.hidden_at is None],
        "supported": supported, "is_author": is_author,
        "following": is_following(user=user, target=report), "support_form": SupportForm(),
        "organisation": report.organisation, "support_refusal": support_refusal,
        "space": component.space if component is not None else None, "component": component,
        "reopen_deadline": workflow.reopen_deadline(report) if is_author else None,
        "reopen_refusal": workflow.reopen_refusal(user=user, report=report) if is_author else None,
        "reopen_form": reopen_form or ReopenForm(),
    }, status=status)


@require_POST
@rate_limited
def report_reopen(request, report_id):
    """The reporter reopens a resolved report within the component's deadline, saying what is still wrong.
    After the deadline (or for anyone else) the page says why; nothing changes."""
    report = get_report(request, report_id)
    if not request.user.is_authenticated:
        return redirect_to_login(report.get_absolute_url())
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            workflow.report_reopen(user=request.user, report=report, reason=form.cleaned_data["reason"])
        except workflow.WorkflowError as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("The report is reopened: the service is told and takes it up again."))
            return redirect(report.get_absolute_url())
    return _report_page(request, report, reopen_form=form, status=400)


@require_POST
@rate_limited
def report_support(request, report_id):
    report = get_report(request, report_id)
    refusal = services.support_refusal(user=request.user, report=report)
    if refusal is not None:
        raise refusal  # a 403 page with the message and where to verify; nothing is saved
    form = SupportForm(request.POST) if not request.user.is_authenticated else None
    if form is not None and not form.is_valid():
        for error in form.errors.get("email", []):
            messages.error(request, error)
        return redirect(report.get_absolute_url())
    try:
        services.report_support_add(report=report, user=request.user, sender=sender_of(request),
                                    email=form.cleaned_data["email"] if form is not None else "")
    except services.ReportError as refusal:
        messages.error(request, refusal.message)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Thank you: your “me too” is counted and you will be told what becomes of "
                                    "this report."))
    return redirect(report.get_absolute_url())


@require_POST
def report_follow(request, report_id):
    report = get_report(request, report_id)
    if not request.user.is_authenticated:
        return redirect_to_login(report.get_absolute_url())
    from concerto.core.participation.services import follow_remove

    if request.POST.get("stop"):
        follow_remove(user=request.user, target=report)
        messages.success(request, _("You no longer follow this report."))
    else:
        try:
            services.report_follow_add(user=request.user, report=report)
        except services.ReportError as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(request, _("You follow this report: you will be told of each change."))
    return redirect(report.get_absolute_url())



