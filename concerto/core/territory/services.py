"""Loading the organisations tree from the committed communes table."""

import csv
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

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
