"""Commune boundaries in the back-office: the Métropole's administrators see which communes have one and
upload a GeoJSON file to set them (what `manage.py import_boundaries` does).

The file is checked in the request (size, JSON, every feature); a background job (`concerto.core.jobs`) then
writes the boundaries. The page is the back-office's (it needs the accounts' `backoffice_view`), the import is
territory's (`territory.services.boundaries_import`): territory sits below accounts and imports none of it. The template
and its French strings stay with territory (`territory/backoffice/boundaries.html`)."""

import json

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from concerto.core.accounts.decorators import backoffice_view
from concerto.core.french import sort_by_name
from concerto.core.jobs.services import job_start
from concerto.core.territory.boundaries import CODE_PROPERTIES, BoundaryError
from concerto.core.territory.forms import BoundariesUploadForm
from concerto.core.territory.models import Organisation
from concerto.core.territory.services import boundaries_check


@backoffice_view("accounts.manage_roles")
def boundaries(request, org_slug):
    """Only on the Métropole's back-office: a commune or territory has no such page (404)."""
    if request.organisation.kind != Organisation.Kind.METROPOLE:
        raise Http404(_("This page does not exist for this organisation."))
    form = BoundariesUploadForm(request.POST, request.FILES) if request.method == "POST" else BoundariesUploadForm()
    if request.method == "POST" and form.is_valid():
        try:
            boundaries_check(collection=form.cleaned_data["file"])
        except BoundaryError as error:
            form.add_boundary_error(error)
        else:
            job = job_start(
                kind="territory.boundaries", organisation=request.organisation, user=request.user,
                target=request.organisation, func="concerto.core.territory.services.boundaries_import_job",
                permission="accounts.manage_roles", title=_("Commune boundaries"),
                upload=json.dumps(form.cleaned_data["file"]).encode(),
                link=reverse("territory_backoffice:boundaries", args=[org_slug]))
            if job.already_started:
                messages.warning(request, _("An upload is already under way: your file was not taken. Send it "
                                            "again once this one has ended."))
            return redirect("jobs:detail", org_slug, job.pk)
    communes = Organisation.objects.communes()
    return render(request, "territory/backoffice/boundaries.html", {
        "organisation": request.organisation,
        "form": form,
        "code_properties": CODE_PROPERTIES[:3],
        "total": communes.count(),
        "with_boundary": communes.filter(boundary__isnull=False).count(),
        "without_boundary": sort_by_name(communes.filter(boundary__isnull=True).only("name", "insee_code")),
    }, status=400 if form.errors else 200)
