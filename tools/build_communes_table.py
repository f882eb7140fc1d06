"""Rebuild concerto/core/territory/data/communes.csv from the npm package @etalab/decoupage-administratif.

The table lists the 130 member communes of the Métropole du Grand Paris (EPCI SIREN 200054781) with their
territory: T1 is the Ville de Paris, T2..T12 are the établissements publics territoriaux (EPT), numbered as
the law numbers them. Rows are ordered by territory number, then INSEE code; postcodes keep the package's
order. Data under Licence Ouverte 2.0 (package code under MIT).

Development only; the product reads the committed table, never this script. From the repository root:

    npm ci --prefix tools   # the pinned @etalab/decoupage-administratif@6.0.0 of tools/package.json
    # or: npm install --prefix tools @etalab/decoupage-administratif@6.0.0
    python tools/build_communes_table.py [--package DIR] [--output FILE]

tools/node_modules is git-ignored.
"""

import argparse
import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PACKAGE = ROOT / "tools" / "node_modules" / "@etalab" / "decoupage-administratif"
DEFAULT_OUTPUT = ROOT / "concerto" / "core" / "territory" / "data" / "communes.csv"

METROPOLE_SIREN = "200054781"
PARIS = {"insee": "75056", "siren": "217500016", "nom": "Paris"}
# The package lists the EPT without their number; these are the numbers of the 2015 decree.
EPT_NUMBERS = {
    "200057966": "T2",   # Vallée Sud-Grand Paris
    "200057974": "T3",   # Grand Paris Seine Ouest
    "200057982": "T4",   # Paris Ouest La Défense
    "200057990": "T5",   # Boucle Nord de Seine
    "200057867": "T6",   # Plaine Commune
    "200058097": "T7",   # Paris Terres d'Envol
    "200057875": "T8",   # Est Ensemble
    "200058790": "T9",   # Grand Paris Grand Est
    "200057941": "T10",  # Paris Est Marne et Bois
    "200058006": "T11",  # Grand Paris Sud Est Avenir
    "200058014": "T12",  # Grand-Orly Seine Bièvre
}
COLUMNS = ["insee", "siren", "nom", "departement", "population_municipale", "population_totale",
           "ept_num", "ept_siren", "ept_nom", "codes_postaux"]


class TableError(Exception):
    pass


def load(package: Path, name: str) -> list[dict]:
    path = package / "data" / f"{name}.json"
    if not path.exists():
        raise TableError(f"{path} not found: install the package first (see this script's docstring)")
    return json.loads(path.read_text(encoding="utf-8"))


def build_rows(package: Path) -> list[dict]:
    epci = {e["code"]: e for e in load(package, "epci")}
    if METROPOLE_SIREN not in epci:
        raise TableError(f"EPCI {METROPOLE_SIREN} (Métropole du Grand Paris) is missing from the package")
    members = epci[METROPOLE_SIREN]["membres"]
    # Only current communes: since 2025, 93059 Pierrefitte-sur-Seine is a commune déléguée of 93066.
    communes = {c["code"]: c for c in load(package, "communes") if c.get("type") == "commune-actuelle"}

    territory_of: dict[str, tuple[str, str, str]] = {PARIS["insee"]: ("T1", PARIS["siren"], PARIS["nom"])}
    for ept in load(package, "ept"):
        if ept["code"] not in EPT_NUMBERS:
            raise TableError(f"unknown EPT {ept['code']} {ept['nom']}: add its number to EPT_NUMBERS")
        for member in ept["membres"]:
            territory_of[member["code"]] = (EPT_NUMBERS[ept["code"]], ept["code"], ept["nom"])

    rows = []
    for member in members:
        code = member["code"]
        if code not in communes:
            raise TableError(f"member {code} {member['nom']} is not a current commune in the package")
        if code not in territory_of:
            raise TableError(f"member {code} {member['nom']} belongs to no territory")
        commune = communes[code]
        ept_num, ept_siren, ept_nom = territory_of[code]
        rows.append({
            "insee": code,
            "siren": member["siren"],
            "nom": member["nom"],
            "departement": commune["departement"],
            "population_municipale": member["populationMunicipale"],
            "population_totale": member["populationTotale"],
            "ept_num": ept_num,
            "ept_siren": ept_siren,
            "ept_nom": ept_nom,
            "codes_postaux": " ".join(commune.get("codesPostaux", [])),
        })
    rows.sort(key=lambda r: (int(r["ept_num"][1:]), r["insee"]))
    if len(rows) != 130 or len({r["ept_num"] for r in rows}) != 12:
        raise TableError(f"expected 130 communes in 12 territories, got {len(rows)} rows")
    return rows


def write(rows: list[dict], output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    with open(output, "w", newline="", encoding="utf-8") as handle:
        # CRLF, as the csv module and RFC 4180 write it (and as the shared checked copy is).
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", type=Path, default=DEFAULT_PACKAGE)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    try:
        rows = build_rows(args.package)
    except TableError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    write(rows, args.output)
    print(f"{len(rows)} communes written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
