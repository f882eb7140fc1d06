"""Back-office of a proposals component: the proposals and their official answers, the categories, the
open-data exports.

Every view is for the managers of the organisation named in the URL, and the component must be a
proposals component of one of that organisation's spaces: anything else is a 404, so the agent of
another commune learns nothing.
"""

import json
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from concerto.components.proposals import queries, services
from concerto.components.proposals.forms import AnswerForm
from concerto.components.proposals.manifest import EXPORT_FIELDS, export_count, export_rows
from concerto.components.proposals.models import Category, Proposal
from concerto.core.accounts.decorators import backoffice_view
from concerto.core.exports import export_response
from concerto.core.jobs.exports import export_is_big, export_start
from concerto.core.spaces.categories import views as category_pages
from concerto.core.spaces.lookup import component_for, item_for
from concerto.core.spaces.models import Component

MANAGE = "spaces.manage_space"
READ = "spaces.read_space"  # elected officials read what agents work on
PER_PAGE = 50


def _proposal(component: Component, proposal_id: int) -> Proposal:
    return item_for(component, Proposal.objects.select_related("category", "author"), proposal_id)

def _context(component: Component, **extra) -> dict:
    return {"component": component, "space": component.space, "organisation": component.space.organisation,
            **extra}


@require_safe
@backoffice_view(MANAGE, read=READ)
def proposal_list(request, org_slug, space_slug, component_id):
    component = component_for(request, "proposals", space_slug=space_slug, component_id=component_id)
    status = request.GET.get("statut", "")
    status = status if status in queries.STATUSES else ""
    q = request.GET.get("q", "").replace("\x00", "")[:100]
    proposals = queries.filtered(component.proposals.all(), q=q, status=status).order_by("-created_at", "-id")
    page = Paginator(proposals.select_related("category", "assignee", "merged_into"),
                     PER_PAGE).get_page(request.GET.get("page"))
    for proposal in page.object_list:
        proposal.component = component
    return render(request, "proposals/backoffice/proposal_list.html", _context(
        component, page=page, status=status, q=q, query=urlencode({"q": q, "statut": status}),
        statuses=[("", pgettext("filter", "All"))] + [(value, label) for value, label in _status_labels()],
        answers=[(value, label) for value, label in Proposal.Answer.choices if value],
        agents=services.proposal_evaluators(component),
    ))


@require_safe
@backoffice_view(MANAGE, read=READ)
def proposal_duplicates(request, org_slug, space_slug, component_id):
    """Likely duplicates: pairs of proposals whose texts say much the same thing, each with the merge one click
    away (the list's bulk merge: the newer joins the older)."""
    component = component_for(request, "proposals", space_slug=space_slug, component_id=component_id)
    return render(request, "proposals/backoffice/proposal_duplicates.html", _context(
        component, pairs=queries.likely_duplicates(component), recent=queries.DUPLICATES_RECENT))


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@require_POST
@backoffice_view(MANAGE)
def bulk_action(request, org_slug, space_slug, component_id):
    """Answer, assign or merge the ticked proposals. Ids from elsewhere than this component are refused."""
    component = component_for(request, "proposals", space_slug=space_slug, component_id=component_id)
    index = component.get_backoffice_url()
    if request.POST.get("back") == "duplicates":  # a merge from the likely duplicates goes back to them
        index = reverse("proposals_backoffice:duplicates", args=[org_slug, space_slug, component.pk])
    ids = {number for number in (_int(value) for value in request.POST.getlist("proposals")[:500]) if number}
    proposals = list(component.proposals.filter(pk__in=ids))
    if len(proposals) != len(ids):
        messages.error(request, _("Only proposals of the same space and the same list can be merged or handled "
                                  "together: some of the ticked proposals are not in this list. Nothing was "
                                  "changed."))
        return redirect(index)
    action = request.POST.get("action", "")
    assignee = into = None
    if action == "assign" and request.POST.get("assignee"):
        assignee = services.proposal_evaluators(component).filter(pk=_int(request.POST.get("assignee"))).first()
        if assignee is None:
            messages.error(request, _("Choose an agent in the list."))
            return redirect(index)
    if action == "merge":
        into_id = _int(request.POST.get("into"))
        into = component.proposals.filter(pk=into_id).first() if into_id else None
        if into_id and into is None:
            messages.error(request, _("Only proposals of the same space and the same list can be merged: these "
                                      "proposals belong to different spaces or lists. Nothing was changed."))
            return redirect(index)
        if into is not None and into.pk not in ids:
            proposals.append(into)
    try:
        done, refused = services.proposals_bulk(
            actor=request.user, component=component, proposals=proposals, action=action,
            status=request.POST.get("status", ""), text=request.POST.get("text", ""), assignee=assignee, into=into)
    except (services.ProposalError, ValidationError) as error:
        messages.error(request, getattr(error, "message", None) or " ".join(error.messages))
        return redirect(index)
    if action == "merge":
        messages.success(request, _("%(count)s proposal(s) merged into “%(title)s”. Their authors are notified.")
                         % {"count": len(done), "title": into.title})
    else:
        messages.success(request, _("%(done)s proposal(s) changed, %(refused)s refused.") % {
            "done": len(done), "refused": len(refused)})
    for proposal, why in refused[:20]:
        messages.warning(request, _("“%(title)s”: %(why)s") % {"title": proposal.title, "why": why})
    return redirect(index)


def _status_labels():
    yield "unanswered", _("Not answered yet")
    for value, label in Proposal.Answer.choices:
        if value:
            yield value, label
    yield "withdrawn", _("Withdrawn")


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def proposal_answer(request, org_slug, space_slug, component_id, proposal_id):
    component = component_for(request, "proposals", space_slug=space_slug, component_id=component_id)
    proposal = _proposal(component, proposal_id)
    initial = {"status": proposal.answer_status, "text": proposal.answer_text} if proposal.is_answered else None
    form = AnswerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.proposal_answer(actor=request.user, proposal=proposal, status=form.cleaned_data["status"],
                                     text=form.cleaned_data["text"])
        except ValidationError as error:
            for name, problems in error.message_dict.items():
                form.add_error(name if name in form.fields else None, problems)
        else:
            messages.success(request, _("The answer is published. The author and the followers of the proposal "
                                        "are notified."))
            return redirect(component.get_backoffice_url())
    return render(request, "proposals/backoffice/proposal_answer.html", _context(
        component, proposal=proposal, form=form), status=400 if form.errors else 200)


# Categories: the pages are the kernel's (shared with the budgets component); these views give them this
# component's model, templates, access rule and URLs.

def _categories_url(component: Component) -> str:
    return reverse("proposals_backoffice:categories",
                   args=[component.space.organisation.slug, component.space.slug, component.pk])


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def category_list(request, org_slug, space_slug, component_id):
    component = component_for(request, "proposals", space_slug=space_slug, component_id=component_id)
    return category_pages.list_page(request, model=Category, component=component,
                                    template="proposals/backoffice/category_list.html", context=_context(component),
                                    list_url=_categories_url(component))


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def category_edit(request, org_slug, space_slug, component_id, category_id):
    component = component_for(request, "proposals", space_slug=space_slug, component_id=component_id)
    category = category_pages.category_or_404(Category, component, category_id)
    return category_pages.edit_page(request, category=category, template="proposals/backoffice/category_form.html",
                                    context=_context(component), list_url=_categories_url(component))


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def category_delete(request, org_slug, space_slug, component_id, category_id):
    component = component_for(request, "proposals", space_slug=space_slug, component_id=component_id)
    category = category_pages.category_or_404(Category, component, category_id)
    return category_pages.delete_page(
        request, category=category, count=category.proposals.count(),
        template="proposals/backoffice/category_confirm_delete.html", context=_context(component),
        list_url=_categories_url(component),
        deleted=_("The category is deleted. Its proposals are kept, without a category."))


def _json_chunks(component):
    yield "["
    for number, row in enumerate(export_rows(component)):
        yield ("," if number else "") + json.dumps(row, ensure_ascii=False)
    yield "]"


@require_safe
@backoffice_view(MANAGE, read=READ)
def export_csv(request, org_slug, space_slug, component_id):
    """The public proposals, one row each, streamed (memory stays flat whatever the number of rows)."""
    component = component_for(request, "proposals", space_slug=space_slug, component_id=component_id)
    return _big_export(request, component, "csv") or export_response(
        export_rows(component), EXPORT_FIELDS, f"propositions-{component.pk}.csv")


@require_safe
@backoffice_view(MANAGE, read=READ)
def export_xlsx(request, org_slug, space_slug, component_id):
    """The same rows as the CSV, as a spreadsheet."""
    component = component_for(request, "proposals", space_slug=space_slug, component_id=component_id)
    return _big_export(request, component, "xlsx") or export_response(
        export_rows(component), EXPORT_FIELDS, f"propositions-{component.pk}.xlsx", "xlsx", sheet_title="propositions")


def _big_export(request, component, format: str):
    """Above CONCERTO_EXPORT_JOB_ROWS proposals, a background job writes the file; None below."""
    count = export_count(component)
    if not export_is_big(count):
        return None
    return export_start(
        request, rows_func="concerto.components.proposals.manifest.export_rows_job",
        args={"component_id": component.pk}, count=count, format=format, columns=EXPORT_FIELDS,
        filename=f"propositions-{component.pk}.{format}", sheet_title="propositions", permission=MANAGE,
        title=_("Export of the proposals of “%(title)s”") % {"title": component.title})


@require_safe
@backoffice_view(MANAGE, read=READ)
def export_json(request, org_slug, space_slug, component_id):
    component = component_for(request, "proposals", space_slug=space_slug, component_id=component_id)
    response = StreamingHttpResponse(_json_chunks(component), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="propositions-{component.pk}.json"'
    return response
