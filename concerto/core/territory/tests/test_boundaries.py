import copy
import json

import pytest
from django.core.management import CommandError, call_command

from concerto.core.audit.models import AuditEntry
from concerto.core.territory import lookup
from concerto.core.territory.models import Organisation

HOTEL_DE_VILLE_DE_PARIS = (2.3522, 48.8566)
PREFECTURE_DE_BOBIGNY = (2.4418, 48.9075)
CRETEIL_CENTRE = (2.4556, 48.7904)
STADE_DE_FRANCE = (2.3601, 48.9245)
VERSAILLES = (2.1301, 48.8049)
# Near Versailles, outside the Métropole: a point in it belongs to no commune until a file says so.
SQUARE = {"type": "Polygon", "coordinates": [[[2.10, 48.80], [2.11, 48.80], [2.11, 48.81], [2.10, 48.81],
                                               [2.10, 48.80]]]}
IN_SQUARE = (2.105, 48.805)


def run(path):
    with open("/dev/null", "w") as quiet:
        call_command("import_boundaries", str(path), stdout=quiet)


def write(tmp_path, content, name="file.geojson"):
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


def feature(code, geometry=SQUARE, key="code"):
    return {"type": "Feature", "properties": {key: code} if code else {}, "geometry": geometry}


def collection(*features):
    return {"type": "FeatureCollection", "features": list(features)}


def test_import_of_the_shared_file_gives_every_commune_a_boundary_and_reports_counts(db, shared_geojson):
    from io import StringIO

    out = StringIO()
    call_command("import_boundaries", str(shared_geojson), stdout=out)

    assert "130 contours de communes importés." in out.getvalue()
    assert "0 commune sans contour." in out.getvalue()
    assert not Organisation.objects.communes().filter(boundary__isnull=True).exists()
    entry = AuditEntry.objects.get(action="territory.boundaries_imported")
    assert entry.data["imported"] == 130
    assert entry.organisation.kind == "metropole"


@pytest.mark.parametrize(("point", "insee"), [
    (HOTEL_DE_VILLE_DE_PARIS, "75056"),
    (PREFECTURE_DE_BOBIGNY, "93008"),
    (CRETEIL_CENTRE, "94028"),
    (STADE_DE_FRANCE, "93066"),
])
def test_known_places_fall_in_their_commune(boundaries, point, insee):
    assert lookup.is_available()
    assert lookup.commune_at(*point).insee_code == insee


def test_versailles_is_outside_the_metropole(boundaries):
    assert lookup.commune_at(*VERSAILLES) is None


def test_bulk_lookup_answers_each_point_in_order(boundaries):
    points = [STADE_DE_FRANCE, VERSAILLES, HOTEL_DE_VILLE_DE_PARIS, STADE_DE_FRANCE]

    found = lookup.communes_at(points)

    assert [o.insee_code if o else None for o in found] == ["93066", None, "75056", "93066"]
    assert lookup.communes_at([]) == []


def test_lookup_gives_copies_that_callers_may_change(boundaries):
    paris = lookup.commune_at(*HOTEL_DE_VILLE_DE_PARIS)
    paris.name = "Changed by a caller"
    assert lookup.commune_at(*HOTEL_DE_VILLE_DE_PARIS).name == "Paris"


def test_non_finite_coordinates_are_outside(boundaries):
    assert lookup.commune_at(float("nan"), 48.85) is None
    assert lookup.commune_at(float("inf"), float("inf")) is None


def test_without_boundaries_location_checks_are_off(db):
    assert not lookup.is_available()
    assert lookup.commune_at(*HOTEL_DE_VILLE_DE_PARIS) is None
    assert lookup.communes_at([HOTEL_DE_VILLE_DE_PARIS]) == [None]


def test_lookup_follows_a_new_import_in_the_same_process(boundaries, tmp_path):
    assert lookup.commune_at(*IN_SQUARE) is None
    # Give Sceaux a square somewhere else; the point in it now answers Sceaux.
    run(write(tmp_path, collection(feature("92071", SQUARE))))

    assert lookup.commune_at(*IN_SQUARE).insee_code == "92071"


def test_admin_express_properties_and_multipolygons_are_accepted(db, tmp_path):
    multi = {"type": "MultiPolygon", "coordinates": [SQUARE["coordinates"]]}
    triangle = {"type": "Polygon",
                "coordinates": [[[2.44, 48.86], [2.45, 48.86], [2.45, 48.87], [2.44, 48.86]]]}
    run(write(tmp_path, collection(feature("92071", multi, key="INSEE_COM"),
                                   feature("93048", triangle, key="insee_com"))))

    assert Organisation.objects.get(insee_code="92071").boundary == multi
    assert lookup.commune_at(*IN_SQUARE).slug == "sceaux"
    assert lookup.commune_at(2.447, 48.862).slug == "montreuil"


def test_unknown_codes_are_ignored_and_counted(db, tmp_path):
    from io import StringIO

    out = StringIO()
    call_command("import_boundaries", str(write(tmp_path, collection(feature("92071"), feature("93059"),
                                                                     feature("78646")))), stdout=out)

    assert "1 contour de commune importé." in out.getvalue()
    assert "2 objets ignorés\u00a0: leur code n'est celui d'aucune commune de la Métropole (78646, 93059)." \
        in out.getvalue()
    assert "129 communes sans contour." in out.getvalue()


def bowtie():
    return {"type": "Polygon", "coordinates": [[[2.29, 48.77], [2.30, 48.78], [2.30, 48.77], [2.29, 48.78],
                                                [2.29, 48.77]]]}


def open_ring():
    return {"type": "Polygon", "coordinates": [[[2.29, 48.77], [2.30, 48.77], [2.30, 48.78], [2.29, 48.78]]]}


MALFORMED = {
    "bad json": ('{"type": "FeatureCollection", "features": [',
                 "Le fichier n'est pas un JSON valide (ligne 1, colonne 44)"),
    "wrong type": ({"type": "Feature", "geometry": SQUARE, "properties": {"code": "92071"}},
                   "Le fichier doit être une FeatureCollection GeoJSON (trouvé\u00a0: Feature)."),
    "not an object": ([1, 2, 3], "Le fichier doit être une FeatureCollection GeoJSON (trouvé\u00a0: list)."),
    "empty": (collection(), "La FeatureCollection ne contient aucun objet."),
    "point geometry": (
        collection(feature("93048"), feature("92071", {"type": "Point", "coordinates": [2.3, 48.7]})),
        "Objet n° 2 (92071)\u00a0: sa géométrie est de type Point, et non Polygon ou MultiPolygon.",
    ),
    "open ring": (collection(feature("92071", open_ring())),
                  "Objet n° 1 (92071)\u00a0: un contour n'est pas fermé"),
    "self-intersecting": (collection(feature("92071", bowtie())),
                          "Objet n° 1 (92071)\u00a0: la géométrie n'est pas valide\u00a0: Self-intersection"),
    "text coordinates": (collection(feature("92071", {"type": "Polygon", "coordinates": [[["a", "b"]] * 4]})),
                         "Objet n° 1 (92071)\u00a0: une position contient autre chose que des nombres."),
    "projected coordinates": (collection(feature("92071", {"type": "Polygon", "coordinates": [[
        [650000, 6860000], [651000, 6860000], [651000, 6861000], [650000, 6860000]]]})),
        "hors des limites de longitude et de latitude (le fichier est-il en WGS84\u00a0?)"),
    "no geometry": (collection(feature("92071", None)), "Objet n° 1 (92071)\u00a0: il n'a pas de géométrie."),
    "missing code": (collection(feature("92071"), feature(None)),
                     "Objet n° 2\u00a0: pas de code INSEE (propriété attendue\u00a0: INSEE_COM, insee_com, code)."),
    "duplicate code": (collection(feature("92071"), feature("92071")),
                       "Objet n° 2 (92071)\u00a0: le code 92071 apparaît deux fois."),
    "no known commune": (collection(feature("78646")),
                         "Aucun objet ne correspond à une commune de la Métropole\u00a0: rien n'a été importé."),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_file_names_the_problem_and_keeps_previous_boundaries(boundaries, tmp_path, case):
    content, expected = MALFORMED[case]
    before = dict(Organisation.objects.communes().values_list("insee_code", "boundary"))
    audits = AuditEntry.objects.count()

    with pytest.raises(CommandError) as error:
        run(write(tmp_path, content))

    assert expected in str(error.value)
    assert str(error.value).startswith(str(tmp_path / "file.geojson"))
    assert dict(Organisation.objects.communes().values_list("insee_code", "boundary")) == before
    assert AuditEntry.objects.count() == audits
    assert lookup.commune_at(*HOTEL_DE_VILLE_DE_PARIS).insee_code == "75056"


def test_a_bad_feature_anywhere_stops_the_whole_import(boundaries, boundaries_collection, tmp_path):
    broken = copy.deepcopy(boundaries_collection)
    broken["features"][0]["geometry"] = SQUARE  # Paris would move if anything were written
    broken["features"][-1]["geometry"] = open_ring()

    with pytest.raises(CommandError) as error:
        run(write(tmp_path, broken))

    assert "Rien n'a été importé." in str(error.value)
    assert "Objet n° 130" in str(error.value)
    assert lookup.commune_at(*HOTEL_DE_VILLE_DE_PARIS).insee_code == "75056"


def test_many_problems_are_listed_up_to_ten(db, tmp_path):
    with pytest.raises(CommandError) as error:
        run(write(tmp_path, collection(*[feature(None)] * 13)))

    assert "Objet n° 10\u00a0:" in str(error.value)
    assert "Objet n° 11\u00a0:" not in str(error.value)
    assert "… et 3 autres problèmes." in str(error.value)


def test_unreadable_file_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError) as error:
        run(tmp_path / "missing.geojson")
    assert "Impossible de lire" in str(error.value)


def test_file_that_is_not_utf8_is_a_clear_error(db, tmp_path):
    path = tmp_path / "latin1.geojson"
    path.write_bytes('{"nom": "Créteil"}'.encode("latin-1"))
    with pytest.raises(CommandError) as error:
        run(path)
    assert "ce n'est pas du texte UTF-8" in str(error.value)


def test_change_made_by_another_process_shows_after_the_recheck_delay(boundaries, monkeypatch):
    assert lookup.commune_at(*HOTEL_DE_VILLE_DE_PARIS).insee_code == "75056"
    # queryset.update() sends no signal: as for a change made by another app server.
    Organisation.objects.filter(insee_code="75056").update(boundary=None)
    assert lookup.commune_at(*HOTEL_DE_VILLE_DE_PARIS).insee_code == "75056"  # within the delay

    monkeypatch.setattr(lookup, "RECHECK_SECONDS", 0)

    assert lookup.commune_at(*HOTEL_DE_VILLE_DE_PARIS) is None


def test_lookups_within_the_recheck_delay_do_not_touch_the_database(boundaries, django_assert_num_queries):
    lookup.commune_at(*HOTEL_DE_VILLE_DE_PARIS)
    with django_assert_num_queries(0):
        for _ in range(100):
            lookup.commune_at(*STADE_DE_FRANCE)
        lookup.communes_at([CRETEIL_CENTRE] * 100)
