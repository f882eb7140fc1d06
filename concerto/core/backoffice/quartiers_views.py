"""The quartiers of a commune in the back-office (/gestion/<commune>/quartiers/): agents who manage spaces add,
change and delete them (the outline drawn on the map or pasted as GeoJSON), elected officials read them. Only a
commune has quartiers: another organisation's page is a 404. The services are territory's
(`territory.quartiers`); the templates and their French strings stay with territory."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from concerto.core.accounts.decorators import backoffice_view
from concerto.core.accounts.permissions import MANAGE, READ
from concerto.core.forms import form_saved
from concerto.core.maps import AreaField
from concerto.core.territory.census import BAND_KEYS, BAND_LABELS
from concerto.core.territory.models import Quartier
from concerto.core.territory.quartiers import QUARTIER_FIELDS, quartier_delete, quartier_save


class QuartierForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name of the quartier"), max_length=100)
    priority_area = forms.BooleanField(
        label=gettext_lazy("Priority area of the city policy (QPV)"), required=False,
        help_text=gettext_lazy("The representativeness panel compares the QPV with the rest of the commune."))
    polygon = AreaField(
        label=gettext_lazy("Outline (GeoJSON polygon)"),
        help_text=gettext_lazy("Optional: draw it on the map, or paste a GeoJSON Polygon or MultiPolygon "
                               "(longitude, latitude). It lets the platform suggest their quartier to residents "
                               "from an address they gave."))
    population = forms.IntegerField(
        label=gettext_lazy("Inhabitants"), required=False, min_value=0, max_value=3_000_000,
        help_text=gettext_lazy("Optional: what you know, from the census or your own figures."))
    population_source = forms.CharField(
        label=gettext_lazy("Source of the population"), max_length=200, required=False,
        help_text=gettext_lazy("For example: INSEE, census 2021, IRIS 920710101 and 920710102."))
    population_year = forms.IntegerField(label=gettext_lazy("Year of the population"), required=False,
                                         min_value=1990)
    position = forms.IntegerField(label=gettext_lazy("Position in the lists"), required=False, min_value=0,
                                  max_value=999, initial=0)

    def __init__(self, *args, commune, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["polygon"].widget.within = commune
        for key in BAND_KEYS:
            self.fields[_band(key)] = forms.IntegerField(
                label=_("Inhabitants, %(band)s") % {"band": BAND_LABELS[key]}, required=False, min_value=0,
                max_value=3_000_000)

    def clean_population_year(self):
        year = self.cleaned_data.get("population_year")
        if year is not None and year > timezone.localdate().year:
            raise forms.ValidationError(_("The year of the population cannot be in the future."))
        return year

    def band_fields(self):
        return [self[_band(key)] for key in BAND_KEYS]

    def main_fields(self):
        return [self[name] for name in ("name", "priority_area", "polygon", "population", "population_source",
                                        "population_year", "position")]

    def values(self) -> dict:
        data = self.cleaned_data
        values = {name: data.get(name) for name in QUARTIER_FIELDS if name != "population_by_band"}
        values["position"] = values["position"] or 0
        values["population_by_band"] = {key: data[_band(key)] for key in BAND_KEYS
                                        if data.get(_band(key)) is not None}
        return values

    @classmethod
    def initial_for(cls, quartier: Quartier) -> dict:
        initial = {name: getattr(quartier, name) for name in QUARTIER_FIELDS if name != "population_by_band"}
        initial.update({_band(key): value for key, value in (quartier.population_by_band or {}).items()})
        return initial


def _band(key: str) -> str:
    """The form field of an age band: band_0_14 ... band_75_plus."""
    return "band_" + key.replace("-", "_").replace("+", "_plus")


def _commune(request):
    if not request.organisation.is_commune:
        raise Http404(_("Only a commune has quartiers."))
    return request.organisation


def _status(form) -> int:
    return 400 if form.is_bound and form.errors else 200


@backoffice_view(MANAGE, read=READ)
def quartiers(request, org_slug):
    commune = _commune(request)
    return render(request, "territory/backoffice/quartiers.html", {
        "quartiers": Quartier.objects.of(commune), "can_manage": request.user.has_perm(MANAGE, commune),
    })


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE)
def quartier_create(request, org_slug):
    commune = _commune(request)
    form = QuartierForm(request.POST or None, commune=commune)
    if form_saved(request, form, lambda: quartier_save(actor=request.user, commune=commune, values=form.values()),
                  done=_("The quartier is added.")):
        return redirect("backoffice:quartiers", org_slug)
    return render(request, "territory/backoffice/quartier_form.html", {"form": form, "item": None,
                                                                       "can_manage": True}, status=_status(form))


@require_http_methods(["GET", "POST"])
@backoffice_view(MANAGE, read=READ)
def quartier(request, org_slug, quartier_id):
    """A quartier: the form for those who manage spaces, its figures for those who read."""
    commune = _commune(request)
    item = get_object_or_404(Quartier, pk=quartier_id, organisation=commune)
    form = QuartierForm(request.POST or None, initial=QuartierForm.initial_for(item), commune=commune)
    if form_saved(request, form, lambda: quartier_save(actor=request.user, commune=commune, values=form.values(),
                                                       existing=item), done=_("The quartier is saved.")):
        return redirect("backoffice:quartiers", org_slug)
    return render(request, "territory/backoffice/quartier_form.html", {
        "form": form, "item": item, "can_manage": request.user.has_perm(MANAGE, commune),
        "bands": [(BAND_LABELS[key], (item.population_by_band or {}).get(key)) for key in BAND_KEYS],
    }, status=_status(form))


@require_POST
@backoffice_view(MANAGE)
def quartier_remove(request, org_slug, quartier_id):
    commune = _commune(request)
    item = get_object_or_404(Quartier, pk=quartier_id, organisation=commune)
    quartier_delete(actor=request.user, quartier=item)
    messages.success(request, _("The quartier is deleted."))
    return redirect("backoffice:quartiers", org_slug)
