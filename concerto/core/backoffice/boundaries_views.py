"""Commune boundaries in the back-office: the Métropole's administrators see which communes have one and
upload a GeoJSON file to set them (what `manage.py import_boundaries` does).

The page is the back-office's (it needs the accounts' `backoffice_view`), the import is territory's
(`territory.services.boundaries_import`): territory sits below accounts and imports none of it. The template
and its French strings stay with territory (`territory/backoffice/boundaries.html`)."""


from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from concerto.core.accounts.decorators import backoffice_view
from concerto.core.french import sort_by_name
from concerto.core.territory.boundaries import CODE_PROPERTIES, BoundaryError
from concerto.core.territory.forms import BoundariesUploadForm
from concerto.core.territory.models import Organisation
from concerto.core.territory.services import boundaries_import

SHOWN_CODES = 20


def _import_messages(request, counts: dict) -> None:
    messages.success(request, ngettext(
        "%(count)d commune boundary updated.", "%(count)d commune boundaries updated.", counts["imported"],
    ) % {"count": counts["imported"]})
    if counts["unknown"]:
        codes = ", ".join(counts["unknown_codes"][:SHOWN_CODES])
        if counts["unknown"] > SHOWN_CODES:
            codes += ", …"
        messages.warning(request, ngettext(
            "%(count)d feature ignored: its INSEE code matches no commune of the Métropole (%(codes)s).",
            "%(count)d features ignored: their INSEE codes match no commune of the Métropole (%(codes)s).",
            counts["unknown"],
        ) % {"count": counts["unknown"], "codes": codes})


@backoffice_view("accounts.manage_roles")
def boundaries(request, org_slug):
    """Only on the Métropole's back-office: a commune or territory has no such page (404)."""
    if request.organisation.kind != Organisation.Kind.METROPOLE:
        raise Http404(_("This page does not exist for this organisation."))
    form = BoundariesUploadForm(request.POST, request.FILES) if request.method == "POST" else BoundariesUploadForm()
    if request.method == "POST" and form.is_valid():
        try:
            counts = boundaries_import(collection=form.cleaned_data["file"], actor=request.user)
        except BoundaryError as error:
            form.add_boundary_error(error)
        else:
            _import_messages(request, counts)
            return redirect("territory_backoffice:boundaries", org_slug)
    communes = Organisation.objects.communes()
    return render(request, "territory/backoffice/boundaries.html", {
        "organisation": request.organisation,
        "form": form,
        "code_properties": CODE_PROPERTIES[:3],
        "total": communes.count(),
        "with_boundary": communes.filter(boundary__isnull=False).count(),
        "without_boundary": sort_by_name(communes.filter(boundary__isnull=True).only("name", "insee_code")),
    }, status=400 if form.errors else 200)
