"""The agents' pages of decisions and actions, per organisation (a space narrows the list): thin views over
services.py. Reading asks the back-office's read permission (elected officials read them), changes ask the
permission to manage spaces."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from concerto.core.accountability import figures as accountability_figures
from concerto.core.accountability import services
from concerto.core.accountability.forms import (
    ActionForm,
    DecisionForm,
    LinkForm,
    LinkSearchForm,
    PhotoForm,
    ProgressForm,
)
from concerto.core.accountability.models import Action, Decision, DecisionLink
from concerto.core.accounts.decorators import backoffice_view
from concerto.core.accounts.permissions import MANAGE, READ
from concerto.core.errors import Refusal
from concerto.core.exports import export_response
from concerto.core.forms import form_add_errors, form_saved
from concerto.core.spaces.models import Space

PAGE = 100


def _decision(request, decision_id: int) -> Decision:
    """The decision of the URL, if it belongs to the request's organisation (else a 404)."""
    return get_object_or_404(Decision.objects.select_related("organisation", "space"), pk=decision_id,
                             organisation=request.organisation)


def _action(request, action_id: int) -> Action:
    return get_object_or_404(Action.objects.select_related("decision__organisation"), pk=action_id,
                             decision__organisation=request.organisation)


def _status(form) -> int:
    return 400 if form.is_bound and form.errors else 200


@backoffice_view(MANAGE, read=READ)
def decision_list(request, org_slug):
    decisions = (Decision.objects.filter(organisation=request.organisation).select_related("space")
                 .prefetch_related("links", "actions"))
    space = Space.objects.filter(organisation=request.organisation, slug=request.GET.get("espace", "")).first()
    if space is not None:
        decisions = decisions.filter(space=space)
    archived = request.GET.get("archives") == "1"
    decisions = decisions.filter(archived_at__isnull=not archived)
    return render(request, "accountability/backoffice/decision_list.html", {
        "decisions": decisions[:PAGE], "space": space, "archived": archived,
        "late": Action.objects.filter(decision__organisation=request.organisation).late().count(),
    })


@backoffice_view(MANAGE, read=READ)
def figures(request, org_slug):
    """The officials' figures: answered contributions, median time to answer, decisions, late actions."""
    rows = accountability_figures.figures_table(organisation=request.organisation)
    return render(request, "accountability/backoffice/figures.html", {"total": rows[0], "spaces": rows[1:]})


@backoffice_view(MANAGE, read=READ)
def figures_csv(request, org_slug):
    rows = accountability_figures.figures_table(organisation=request.organisation)
    return export_response(rows, accountability_figures.COLUMNS, f"{org_slug}-decisions-chiffres.csv", stream=False)


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def decision_create(request, org_slug):
    form = DecisionForm(request.POST or None, request.FILES or None, organisation=request.organisation,
                        initial={"space": Space.objects.filter(organisation=request.organisation,
                                                               slug=request.GET.get("espace", "")).first()})
    saved = form_saved(request, form, lambda: services.decision_create(
        actor=request.user, organisation=request.organisation, **form.values()), done=_("The decision is saved."))
    if saved:
        return redirect("accountability_backoffice:decision", org_slug, saved.result.pk)
    return render(request, "accountability/backoffice/decision_form.html", {"form": form, "decision": None},
                  status=_status(form))


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def decision_edit(request, org_slug, decision_id):
    decision = _decision(request, decision_id)
    initial = {"title": decision.title, "body": decision.body, "decided_on": decision.decided_on,
               "space": decision.space_id, "text": decision.text, "deliberation_number": decision.deliberation_number}
    form = DecisionForm(request.POST or None, request.FILES or None, organisation=request.organisation,
                        initial=initial)
    saved = form_saved(request, form, lambda: services.decision_update(
        actor=request.user, decision=decision, **form.values()), done=_("The decision is saved."))
    if saved:
        return redirect("accountability_backoffice:decision", org_slug, decision.pk)
    return render(request, "accountability/backoffice/decision_form.html", {"form": form, "decision": decision},
                  status=_status(form))


@backoffice_view(MANAGE, read=READ)
def decision_detail(request, org_slug, decision_id):
    decision = _decision(request, decision_id)
    return render(request, "accountability/backoffice/decision_detail.html", {
        "decision": decision, "links": decision.links.select_related("target_organisation"),
        "actions": decision.actions.prefetch_related("updates", "photos"),
    })


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def decision_delete(request, org_slug, decision_id):
    decision = _decision(request, decision_id)
    if request.method == "POST":
        if request.POST.get("restore"):
            services.decision_restore(actor=request.user, decision=decision)
            messages.success(request, _("The decision is back in the public tracker."))
            return redirect("accountability_backoffice:decision", org_slug, decision.pk)
        outcome = services.decision_delete(actor=request.user, decision=decision)
        if outcome == "archived":
            messages.success(request, _("The decision answers contributions: it is archived, not deleted, and "
                                        "leaves the public tracker."))
            return redirect("accountability_backoffice:decision", org_slug, decision.pk)
        messages.success(request, _("The decision is deleted."))
        return redirect("accountability_backoffice:decisions", org_slug)
    return render(request, "accountability/backoffice/decision_delete.html", {"decision": decision})


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def decision_links(request, org_slug, decision_id):
    """The search picker: a GET search form lists what the decision may answer, each with its own small form
    (answer and explanation) posted here."""
    decision = _decision(request, decision_id)
    kinds = [(name, str(linkable.label)) for name, linkable in services.linkables().items()]
    search = LinkSearchForm(request.GET or None, kinds=kinds)
    link_form = LinkForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if link_form.is_valid():
            target = services.linkable_get(content_type_id=link_form.cleaned_data["content_type"],
                                           object_id=link_form.cleaned_data["object_id"])
            try:
                link = services.decision_link_add(actor=request.user, decision=decision, target=target,
                                                  status=link_form.cleaned_data["status"],
                                                  explanation=link_form.cleaned_data["explanation"])
            except Refusal as refusal:
                link_form.add_error(None, refusal.message)
            except ValidationError as error:
                form_add_errors(link_form, error)
            else:
                messages.success(request, _("“%(title)s” is linked to the decision.") % {"title": link.target_title})
                return redirect(request.get_full_path())
        status = 400
    query = kind = ""
    if search.is_valid():
        query, kind = search.cleaned_data["q"], search.cleaned_data["kind"]
    candidates = services.linkable_search(decision=decision, query=query, kind=kind)
    return render(request, "accountability/backoffice/decision_links.html", {
        "decision": decision, "search": search, "candidates": candidates, "link_form": link_form,
        "statuses": DecisionLink.Status.choices, "searched": bool(request.GET),
        "posted": (link_form.data.get("content_type"), link_form.data.get("object_id")),
    }, status=status)


@require_POST
@backoffice_view(MANAGE)
def link_remove(request, org_slug, decision_id, link_id):
    decision = _decision(request, decision_id)
    link = get_object_or_404(DecisionLink, pk=link_id, decision=decision)
    services.decision_link_remove(actor=request.user, link=link)
    messages.success(request, _("The link is removed."))
    return redirect("accountability_backoffice:decision", org_slug, decision.pk)


def _action_initial(action: Action) -> dict:
    from concerto.core.maps import Point

    initial = {name: getattr(action, name) for name in services.ACTION_FIELDS
               if name not in ("latitude", "longitude", "address")}
    if action.latitude is not None:
        initial["location"] = Point(action.latitude, action.longitude, action.address)
    return initial


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def action_create(request, org_slug, decision_id):
    decision = _decision(request, decision_id)
    form = ActionForm(request.POST or None)
    saved = form_saved(request, form, lambda: services.action_create(
        actor=request.user, decision=decision, **form.values()), done=_("The action is saved."))
    if saved:
        return redirect("accountability_backoffice:decision", org_slug, decision.pk)
    return render(request, "accountability/backoffice/action_form.html",
                  {"form": form, "decision": decision, "action": None}, status=_status(form))


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def action_edit(request, org_slug, action_id):
    action = _action(request, action_id)
    form = ActionForm(request.POST or None, initial=_action_initial(action))
    saved = form_saved(request, form, lambda: services.action_update(
        actor=request.user, action=action, **form.values()), done=_("The action is saved."))
    if saved:
        return redirect("accountability_backoffice:decision", org_slug, action.decision_id)
    return render(request, "accountability/backoffice/action_form.html", {
        "form": form, "decision": action.decision, "action": action,
        "progress_form": ProgressForm(), "photo_form": PhotoForm(),
    }, status=_status(form))


@require_POST
@backoffice_view(MANAGE)
def action_progress(request, org_slug, action_id):
    action = _action(request, action_id)
    form = ProgressForm(request.POST)
    saved = form_saved(request, form, lambda: services.action_progress_add(
        actor=request.user, action=action, **form.cleaned_data), done=_("The update is published."))
    if saved:
        return redirect("accountability_backoffice:action", org_slug, action.pk)
    return render(request, "accountability/backoffice/action_form.html", {
        "form": ActionForm(initial=_action_initial(action)), "decision": action.decision, "action": action,
        "progress_form": form, "photo_form": PhotoForm(),
    }, status=400)


@require_POST
@backoffice_view(MANAGE)
def action_photo(request, org_slug, action_id):
    action = _action(request, action_id)
    form = PhotoForm(request.POST, request.FILES)
    saved = form_saved(request, form, lambda: services.action_photo_add(
        actor=request.user, action=action, image=form.cleaned_data["image"], alt=form.cleaned_data["image_alt"]),
        done=_("The photo is added."))
    if saved:
        return redirect("accountability_backoffice:action", org_slug, action.pk)
    return render(request, "accountability/backoffice/action_form.html", {
        "form": ActionForm(initial=_action_initial(action)), "decision": action.decision, "action": action,
        "progress_form": ProgressForm(), "photo_form": form,
    }, status=400)


@require_POST
@backoffice_view(MANAGE)
def action_delete(request, org_slug, action_id):
    action = _action(request, action_id)
    decision_id = action.decision_id
    services.action_delete(actor=request.user, action=action)
    messages.success(request, _("The action is deleted."))
    return redirect("accountability_backoffice:decision", org_slug, decision_id)


