"""Loading the organisations tree from the committed communes table."""

import csv
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from concerto.core.audit.services import audit_record
from concerto.core.territory import lookup
from concerto.core.territory.boundaries import BoundaryError, features_read, parse_json
from concerto.core.territory.models import Organisation

COMMUNES_TABLE = Path(__file__).resolve().parent / "data" / "communes.csv"
METROPOLE = {"name": "Métropole du Grand Paris", "slug": "metropole", "siren": "200054781"}


def territory_slug(code: str, name: str) -> str:
    # T1 is the Ville de Paris itself; its commune takes the plain slug "paris".
    return "territoire-paris" if code == "T1" else slugify(name)


@transaction.atomic
def organisations_load(*, path: Path = COMMUNES_TABLE) -> dict[str, int]:
    """Create or update the Métropole, its territories and its communes from the table at PATH.

    Idempotent: running it again updates names, populations and postcodes in place, keyed by INSEE
    code (communes), territory code (territories) and SIREN (the Métropole).
    """
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    metropole, _ = Organisation.objects.update_or_create(
        kind=Organisation.Kind.METROPOLE, defaults={**METROPOLE, "parent": None}
    )
    territories: dict[str, Organisation] = {}
    population: dict[str, int] = {}
    for row in rows:
        code = row["ept_num"]
        population[code] = population.get(code, 0) + int(row["population_municipale"])
        if code not in territories:
            territories[code], _ = Organisation.objects.update_or_create(
                kind=Organisation.Kind.TERRITORY, code=code,
                defaults={"name": row["ept_nom"], "slug": territory_slug(code, row["ept_nom"]),
                          "siren": row["ept_siren"], "parent": metropole},
            )
    for code, territory in territories.items():
        territory.population = population[code]
        territory.save(update_fields=["population"])
    for row in rows:
        Organisation.objects.update_or_create(
            kind=Organisation.Kind.COMMUNE, insee_code=row["insee"],
            defaults={
                "name": row["nom"], "slug": slugify(row["nom"]), "siren": row["siren"],
                "departement": row["departement"], "population": int(row["population_municipale"]),
                "postcodes": row["codes_postaux"].split(), "parent": territories[row["ept_num"]],
            },
        )
    metropole.population = sum(population.values())
    metropole.save(update_fields=["population"])
    return {"metropole": 1, "territories": len(territories), "communes": len(rows)}


def _boundaries_read(collection):
    if isinstance(collection, str | bytes):
        collection = parse_json(collection)
    geometries = features_read(collection)
    communes = {o.insee_code: o for o in Organisation.objects.communes().only("pk", "insee_code", "name")}
    known = [code for code in geometries if code in communes]
    unknown_codes = sorted(set(geometries) - set(communes))
    if not known:
        raise BoundaryError(_("No feature matches a commune of the Métropole: nothing was imported."))
    return geometries, communes, known, unknown_codes


def boundaries_check(*, collection) -> None:
    """Check COLLECTION as `boundaries_import` does, writing nothing (the request, before the job)."""
    _boundaries_read(collection)


SHOWN_CODES = 20


def boundaries_summary(counts: dict) -> list[str]:
    """What an import did, in sentences for the agent."""
    lines = [ngettext("%(count)d commune boundary updated.", "%(count)d commune boundaries updated.",
                      counts["imported"]) % {"count": counts["imported"]}]
    if counts["unknown"]:
        codes = ", ".join(counts["unknown_codes"][:SHOWN_CODES])
        if counts["unknown"] > SHOWN_CODES:
            codes += ", …"
        lines.append(ngettext(
            "%(count)d feature ignored: its INSEE code matches no commune of the Métropole (%(codes)s).",
            "%(count)d features ignored: their INSEE codes match no commune of the Métropole (%(codes)s).",
            counts["unknown"],
        ) % {"count": counts["unknown"], "codes": codes})
    return lines


def boundaries_import_job(job) -> str:
    """The background job of a boundaries upload (`concerto.core.jobs`): the file the request checked."""
    job.progress(1, 2, _("Saving the boundaries…"))
    try:
        counts = boundaries_import(collection=job.input(), actor=job.started_by)
    except BoundaryError as error:
        raise ValidationError([line for line in str(error).splitlines() if line.strip()]) from None
    return "\n".join(boundaries_summary(counts))


def boundaries_import(*, collection, actor=None) -> dict:
    """Set the boundary of each commune found in the GeoJSON FeatureCollection COLLECTION (text or parsed).

    Everything is checked before anything is written: any problem raises BoundaryError and nothing
    changes. Communes absent from the file keep the boundary they had. Returns the counts `imported`,
    `unknown` (features whose code is no commune of the Métropole, ignored; their codes in
    `unknown_codes`) and `without_boundary` (communes that still have none).
    """
    geometries, communes, known, unknown_codes = _boundaries_read(collection)
    now = timezone.now()
    for code in known:
        communes[code].boundary = geometries[code]
        communes[code].updated_at = now
    with transaction.atomic():
        Organisation.objects.bulk_update([communes[code] for code in known], ["boundary", "updated_at"],
                                         batch_size=50)
        counts = {
            "imported": len(known),
            "unknown": len(unknown_codes),
            "unknown_codes": unknown_codes,
            "without_boundary": Organisation.objects.communes().filter(boundary__isnull=True).count(),
        }
        audit_record(actor=actor, action="territory.boundaries_imported",
                     organisation=Organisation.objects.filter(kind=Organisation.Kind.METROPOLE).first(),
                     data=counts)
    lookup.index_clear()
    return counts
