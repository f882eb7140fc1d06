"""Quartiers of a commune (issue 18): their outline checked against the commune's, saving and deleting them (with
an audit entry), and the quartier at a point.

`area_contains` is the one test « is this point inside this GeoJSON polygon » (quick polls' target quartier uses it
too)."""

import shapely
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from shapely.errors import ShapelyError
from shapely.geometry import shape

from concerto.core.audit.services import audit_record
from concerto.core.territory import lookup
from concerto.core.territory.boundaries import geometry_problem
from concerto.core.territory.census import BAND_KEYS
from concerto.core.territory.models import Organisation, Quartier

QUARTIER_FIELDS = ("name", "polygon", "priority_area", "population", "population_by_band", "population_source",
                   "population_year", "position")


def area_contains(area: dict, *, latitude: float, longitude: float) -> bool:
    """Whether the point is inside AREA (a valid GeoJSON Polygon or MultiPolygon, longitude first)."""
    return bool(shapely.contains_xy(shape(area), longitude, latitude))


def polygon_problem(polygon, *, commune: Organisation) -> str | None:
    """What is wrong with POLYGON as an outline of a quartier of COMMUNE, in French, or None: a valid Polygon or
    MultiPolygon that lies inside the commune's boundary or overlaps it (when the commune has one)."""
    if not isinstance(polygon, dict) or polygon.get("type") not in ("Polygon", "MultiPolygon"):
        return _("The outline must be a GeoJSON Polygon or MultiPolygon (longitude, latitude).")
    problem = geometry_problem(polygon)
    if problem:
        return _("This outline is not a valid shape: %(problem)s.") % {"problem": problem}
    if commune.boundary:
        try:
            overlaps = shape(polygon).intersects(shape(commune.boundary))
        except (ValueError, TypeError, ShapelyError):
            overlaps = True  # the commune's own boundary cannot be read: nothing to check against
        if not overlaps:
            return _("This outline is outside %(commune)s: draw it inside the commune.") % {"commune": commune.name}
    return None


def quartier_check(*, commune: Organisation, values: dict, existing: Quartier | None = None) -> None:
    """Raise ValidationError (by field, in French) when VALUES cannot make a quartier of COMMUNE."""
    errors = {}
    if not commune.is_commune:
        raise ValidationError(_("Quartiers belong to a commune."))
    name = " ".join((values.get("name") or "").split())
    if not name:
        errors["name"] = _("Give the quartier a name.")
    elif Quartier.objects.of(commune).filter(name__iexact=name).exclude(pk=getattr(existing, "pk", None)).exists():
        errors["name"] = _("%(commune)s already has a quartier with this name.") % {"commune": commune.name}
    if values.get("polygon"):
        problem = polygon_problem(values["polygon"], commune=commune)
        if problem:
            errors["polygon"] = problem
    by_band = values.get("population_by_band") or {}
    if set(by_band) - set(BAND_KEYS) or any(not isinstance(n, int) or n < 0 for n in by_band.values()):
        errors["population_by_band"] = _("Give each age band as a whole number of inhabitants.")
    population = values.get("population")
    if population is not None and by_band and sum(by_band.values()) > population:
        errors["population_by_band"] = _("The age bands add up to more inhabitants than the quartier has.")
    if (population or by_band) and not (values.get("population_source") or "").strip():
        errors["population_source"] = _("Say where the population comes from (for example: INSEE, census 2021).")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def quartier_save(*, actor, commune: Organisation, values: dict, existing: Quartier | None = None) -> Quartier:
    """Create a quartier of COMMUNE from VALUES, or change EXISTING; ValidationError when VALUES are wrong."""
    quartier_check(commune=commune, values=values, existing=existing)
    quartier = existing or Quartier(organisation=commune)
    for name in QUARTIER_FIELDS:
        if name in values:
            setattr(quartier, name, values[name])
    quartier.name = " ".join(quartier.name.split())
    quartier.population_by_band = quartier.population_by_band or {}
    quartier.polygon = quartier.polygon or None
    quartier.save()
    audit_record(actor=actor, action="quartier.changed" if existing else "quartier.created", target=quartier,
                 organisation=commune)
    return quartier


@transaction.atomic
def quartier_delete(*, actor, quartier: Quartier) -> None:
    """Delete QUARTIER; the people who had chosen it keep their other answers (their quartier becomes empty)."""
    audit_record(actor=actor, action="quartier.deleted", target=quartier, organisation=quartier.organisation,
                 data={"name": quartier.name})
    quartier.delete()


def quartier_at(commune: Organisation | None, *, latitude: float, longitude: float) -> Quartier | None:
    """The quartier of COMMUNE (of any commune when None) whose outline contains the point, or None."""
    quartiers = Quartier.objects.of(commune) if commune is not None else Quartier.objects.all()
    for quartier in quartiers.filter(polygon__isnull=False).select_related("organisation"):
        try:
            if area_contains(quartier.polygon, latitude=latitude, longitude=longitude):
                return quartier
        except (ValueError, TypeError, ShapelyError):
            continue
    return None


def quartiers_outlined() -> bool:
    """Whether any commune drew the outline of a quartier (else no point can suggest one)."""
    return Quartier.objects.filter(polygon__isnull=False).exists()


def quartier_suggested(places, *, commune: Organisation | None = None) -> tuple[str, Quartier] | None:
    """The first of PLACES ((label, latitude, longitude), points the person gave) inside the outline of a quartier
    (of COMMUNE when given, else of the commune at the point), as (label, quartier); None when none is."""
    if not quartiers_outlined():
        return None
    for label, latitude, longitude in places:
        try:
            where = commune or lookup.commune_at(longitude, latitude)
        except (ValueError, TypeError):
            continue
        # Without commune boundaries (not imported), every commune's outlines are tried.
        found = quartier_at(where, latitude=latitude, longitude=longitude)
        if found is not None:
            return label, found
    return None
