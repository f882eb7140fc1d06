"""Sceaux's quartiers in the demo (issue 18): four quartiers whose outlines are ILLUSTRATIVE (the commune's outline
cut in four by its bounding box, not the real limits), one of them a priority area of the city policy (QPV) with
an illustrative population, and the demo residents who took part in Sceaux saying their quartier, so that the
representativeness panel shows the QPV line on a fresh demo. Safe to run again."""

import json

from django.db.models import Q
from django.utils import timezone
from shapely.geometry import box, mapping, shape

from concerto.core.accounts.models import User
from concerto.core.participation.models import Contribution
from concerto.core.territory.models import Organisation, Quartier

SOURCE = "Chiffres d'illustration de la démo (non officiels)"
# (name, cell of the 2 × 2 grid over the commune's bounding box: (column, row) from the south-west, QPV, inhabitants)
QUARTIERS = (("Centre-ville", (0, 1), False, 5400), ("Les Chéneaux", (1, 1), False, 4600),
             ("Robinson", (0, 0), False, 4800), ("Les Blagis", (1, 0), True, 4400))
# Which quartier each participant says, by their order of arrival: one in six lives in the QPV (under-represented
# against its illustrative 23 % of the inhabitants), the rest spread.
ORDER = ("Centre-ville", "Les Chéneaux", "Les Blagis", "Robinson", "Centre-ville", "Les Chéneaux")


def _cell(outline, column: int, row: int):
    west, south, east, north = outline.bounds
    width, height = (east - west) / 2, (north - south) / 2
    part = outline.intersection(box(west + column * width, south + row * height,
                                    west + (column + 1) * width, south + (row + 1) * height))
    return mapping(part) if not part.is_empty and part.geom_type in ("Polygon", "MultiPolygon") else None


def demo_load() -> int:
    """Sceaux's quartiers and the quartier of its demo participants; returns how many residents got one."""
    sceaux = Organisation.objects.filter(slug="sceaux").first()
    if sceaux is None:
        return 0
    outline = shape(sceaux.boundary) if sceaux.boundary else None
    quartiers = {}
    for position, (name, (column, row), qpv, inhabitants) in enumerate(QUARTIERS):
        polygon = _cell(outline, column, row) if outline is not None else None
        quartiers[name], _created = Quartier.objects.get_or_create(
            organisation=sceaux, name=name, defaults={
                "priority_area": qpv, "population": inhabitants, "population_source": SOURCE,
                "population_year": 2021, "position": position,
                "polygon": json.loads(json.dumps(polygon)) if polygon else None})
    authors = (Contribution.objects.filter(organisation=sceaux).exclude(author=None).order_by("author_id")
               .values_list("author_id", flat=True).distinct())
    residents = User.objects.filter(pk__in=authors, quartier=None, roles__isnull=True).filter(
        Q(email__endswith="@demo.concerto.test") | Q(email__endswith=".demo")).order_by("pk")
    now, count = timezone.now(), 0
    for index, person in enumerate(residents.only("pk", "demographics_consent_at")):
        User.objects.filter(pk=person.pk).update(
            residence=sceaux, quartier=quartiers[ORDER[index % len(ORDER)]],
            demographics_consent_at=person.demographics_consent_at or now)
        count += 1
    return count

