"""The back-office pages of background jobs: the list of an organisation's jobs, one job's progress (a page,
and its fragment asked again by htmx while the job runs), and the download of the file a job produced.

A job is shown only on its organisation's back-office, to the people holding the permission it names
(anyone else gets a 404, as for an object of another commune)."""

from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from concerto.core.accounts.decorators import backoffice_view
from concerto.core.jobs import services, work
from concerto.core.jobs.models import Job

POLL_SECONDS = 2


def job_for(request, job_id) -> Job:
    """The job JOB_ID of the request's organisation if the user may see it, else a 404."""
    job = Job.objects.select_related("organisation", "started_by").filter(
        organisation=request.organisation, pk=job_id).first()
    if job is None or not request.user.has_perm(job.permission, request.organisation):
        raise Http404(_("This job does not exist."))
    return job


@require_GET
@backoffice_view()
def job_list(request, org_slug):
    jobs = Job.objects.filter(organisation=request.organisation).select_related("started_by")[:500]
    page = Paginator(list(services.visible(jobs, request.user, request.organisation)), 50).get_page(
        request.GET.get("page"))
    return render(request, "jobs/job_list.html", {"organisation": request.organisation, "page": page})


@require_GET
@backoffice_view()
def job_detail(request, org_slug, job_id):
    job = job_for(request, job_id)
    context = {"organisation": request.organisation, "job": job, "poll": POLL_SECONDS}
    if request.htmx:
        return render(request, "jobs/_job_status.html", context)
    return render(request, "jobs/job_detail.html", context)


@require_GET
@backoffice_view()
def job_download(request, org_slug, job_id):
    job = job_for(request, job_id)
    path = work.file_path(job)
    if path is None or job.status != Job.Status.DONE:
        raise Http404(_("This file is no longer available: start the job again."))
    response = FileResponse(path.open("rb"), as_attachment=True, filename=job.file_name,
                            content_type=job.file_type or "application/octet-stream")
    response["Cache-Control"] = "private, no-store"
    return response
