"""Back-office of a budgets component: counting a budget, checking the outcome before publishing it,
publishing and withdrawing it, downloading the ballots as a pabulib file; and replaying an election from a
pabulib file (a new budget with its projects and anonymous ballots).

Every view is for the managers (administrators, agents) of the organisation named in the URL, and the
component must be a budgets component of one of its spaces: anything else is a 404.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from concerto.components.budgets import count_jobs, pabulib, results
from concerto.components.budgets.models import Ballot, Budget, Result
from concerto.components.budgets.results_views import pabulib_response
from concerto.core.accounts.decorators import backoffice_view
from concerto.core.jobs.models import Job
from concerto.core.jobs.services import job_start
from concerto.core.spaces.lookup import component_for, item_for
from concerto.core.spaces.models import Component

MANAGE = "spaces.manage_space"
READ = "spaces.read_space"  # elected officials read the outcome and the history of the counts, without the forms
HISTORY = 20  # the latest counts listed




def _context(component: Component, **extra) -> dict:
    return {"component": component, "space": component.space, "organisation": component.space.organisation,
            **extra}


def _result(budget: Budget, value) -> Result:
    result = Result.objects.filter(budget=budget, pk=value).first() if str(value or "").isdigit() else None
    if result is None:
        raise Http404(_("This count does not exist."))
    result.budget = budget
    return result


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE, read=READ)
def result_detail(request, org_slug, space_slug, component_id, budget_id):
    component = component_for(request, "budgets", space_slug=space_slug, component_id=component_id)
    budget = item_for(component, Budget, budget_id)
    here = reverse("budgets_backoffice:results", args=[org_slug, space_slug, component.pk, budget.pk])
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "compute":
                job = count_jobs.result_count_request(actor=request.user, budget=budget)
                if job.status == Job.Status.DONE:
                    messages.success(request, _("The ballots are counted. Check the outcome below, then publish it."))
                elif job.status == Job.Status.FAILED:
                    messages.error(request, job.error)
                else:
                    messages.info(request, _("The count has started: this page follows its progress."))
            elif action == "publish":
                results.result_publish(actor=request.user, result=_result(budget, request.POST.get("result")))
                messages.success(request, _("The results are published. The authors and followers of the "
                                            "projects are notified."))
            elif action == "unpublish":
                results.result_unpublish(actor=request.user, result=_result(budget, request.POST.get("result")))
                messages.success(request, _("The results are no longer public."))
            else:
                messages.error(request, _("Unknown action."))
        except results.ResultError as error:
            messages.error(request, error.message)
        return redirect(here)
    job = count_jobs.latest_job(budget)
    if request.GET.get("progression"):
        return _progress(request, job)
    latest = results.latest_result(budget)
    if latest is not None:
        latest.budget = budget
    if request.GET.get("telecharger") and latest is not None:
        return pabulib_response(latest)
    published = results.published_result(budget)
    return render(request, "budgets/backoffice/results/result_detail.html", _context(
        component, budget=budget, latest=latest, report=results.report(latest) if latest else None,
        published=published, refusal=results.compute_refusal(budget=budget),
        changed=latest is not None and results.ballots_changed_since(latest),
        ballots=Ballot.objects.filter(budget=budget).count(),
        public_url=results.results_url(budget), job=job,
        failed=job is not None and job.status == Job.Status.FAILED
        and (latest is None or job.created_at > latest.computed_at),
        history=list(Result.objects.filter(budget=budget).select_related("computed_by").defer("outcome")[:HISTORY]),
        can_manage=request.user.has_perm(MANAGE, component),
    ))


def _progress(request, job):
    """The progress bar alone, asked again by htmx while the count runs; once it ended, the whole page."""
    if job is None or not job.active:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "budgets/backoffice/results/_count_progress.html", {"job": job})


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("pabulib file (.pb)"),
                           help_text=gettext_lazy("A file of pabulib.org, or one downloaded from a results page. "
                                                  "20 MB at most."))
    name = forms.CharField(label=gettext_lazy("Name of the new budget"), max_length=150)
    amount = forms.IntegerField(label=gettext_lazy("Amount (€)"), required=False, min_value=1,
                                max_value=10**12,
                                help_text=gettext_lazy("Leave empty to use the budget written in the file."))
    ballot_kind = forms.ChoiceField(label=gettext_lazy("Ballot"), required=False,
                                    choices=[("", gettext_lazy("As in the file"))] + list(Budget.BallotKind.choices))
    rule = forms.ChoiceField(label=gettext_lazy("Counting rule"), choices=Budget.Rule.choices,
                             initial=Budget.Rule.MES)

    def __init__(self, *args, component=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.component = component

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > pabulib.MAX_IMPORT_BYTES:
            raise ValidationError(_("The file is too large: %(max)s MB at most.") % {
                "max": pabulib.MAX_IMPORT_BYTES // (1024 * 1024)})
        raw = upload.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(_("The file is not UTF-8 text: save it as UTF-8 and try again.")) from None
        if not text.lstrip().upper().startswith("META"):
            raise ValidationError(_("This is not a pabulib file: such a file starts with its META section."))
        return text

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise ValidationError(_("Give the budget a name."))
        if Budget.objects.filter(component=self.component, name__iexact=name).exists():
            raise ValidationError(_("A budget of this component already has this name."))
        return name


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def pabulib_import(request, org_slug, space_slug, component_id):
    """The file is checked here (size, text, a pabulib file, the name free); the worker reads and imports it
    (a kernel background job), and the page of the job then leads to the new budget."""
    component = component_for(request, "budgets", space_slug=space_slug, component_id=component_id)
    form = ImportForm(request.POST or None, request.FILES or None, component=component)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        job = job_start(
            kind="budgets.pabulib", organisation=component.space.organisation, user=request.user,
            func="concerto.components.budgets.pabulib.pabulib_import_job", permission=MANAGE,
            title=_("pabulib import: %(name)s") % {"name": data["name"]}, upload=data["file"].encode("utf-8"),
            component_id=component.pk, name=data["name"], rule=data["rule"], ballot_kind=data["ballot_kind"] or None,
            amount=data["amount"])
        return redirect("jobs:detail", org_slug, job.pk)
    return render(request, "budgets/backoffice/results/pabulib_import.html", _context(component, form=form),
                  status=400 if form.errors else 200)
