"""Maps: the point field (what a resident types or clicks, what is refused and why) and the outlines."""

import gzip
import json

import pytest
import shapely
from django import forms
from django.core.cache import cache
from django.core.management import call_command
from django.template import engines
from django.urls import reverse
from shapely.geometry import shape

from concerto.core.maps import PointField
from concerto.core.territory.models import Organisation
from concerto.testing import commune

pytestmark = pytest.mark.django_db

HOTEL_DE_VILLE_DE_PARIS = ("48.8566", "2.3522")
MAIRIE_DE_SCEAUX = ("48.7787", "2.2905")
MAIRIE_DE_MONTREUIL = ("48.8618", "2.4432")
VERSAILLES = ("48.8049", "2.1301")
LYON = ("45.7640", "4.8357")


class PlaceForm(forms.Form):
    location = PointField(label="Emplacement", required=False)


class RequiredPlaceForm(forms.Form):
    location = PointField(label="Emplacement")


def submit(form_class=PlaceForm, point=("", ""), **field_options):
    form = form_class({"location_latitude": point[0], "location_longitude": point[1]})
    for name, value in field_options.items():
        setattr(form.fields["location"], name, value)
    return form


def errors(form) -> list[str]:
    assert not form.is_valid()
    return form.errors["location"]


# --- The point field ---------------------------------------------------------------------------------

def test_a_point_in_the_metropole_is_returned_as_latitude_longitude_floats(boundaries):
    form = submit(point=HOTEL_DE_VILLE_DE_PARIS)

    assert form.is_valid(), form.errors
    assert form.cleaned_data["location"] == (48.8566, 2.3522)


def test_french_decimal_commas_and_spaces_are_accepted(boundaries):
    form = submit(point=(" 48,7787 ", "2,2905"))

    assert form.is_valid(), form.errors
    assert form.cleaned_data["location"] == (48.7787, 2.2905)


def test_a_point_outside_the_metropole_is_refused_in_french(boundaries):
    assert errors(submit(point=VERSAILLES)) == [
        "Ce lieu est hors de la Métropole du Grand Paris\u00a0: choisissez un lieu dans l’une de ses communes."
    ]


def test_within_a_commune_accepts_its_points_and_refuses_a_neighbours(boundaries):
    sceaux = commune("sceaux")

    assert submit(point=MAIRIE_DE_SCEAUX, within=sceaux).is_valid()
    assert errors(submit(point=MAIRIE_DE_MONTREUIL, within=sceaux)) == [
        "Ce lieu est hors de Sceaux\u00a0: choisissez un autre lieu."
    ]


def test_within_a_territory_accepts_the_points_of_all_its_communes(boundaries):
    territory = commune("sceaux").parent

    assert submit(point=MAIRIE_DE_SCEAUX, within=territory).is_valid()
    assert "hors de Vallée Sud-Grand Paris" in errors(submit(point=HOTEL_DE_VILLE_DE_PARIS, within=territory))[0]


def test_within_can_be_given_to_the_field_itself(boundaries):
    class SceauxForm(forms.Form):
        location = PointField(label="Emplacement", within=commune("sceaux"))

    assert SceauxForm({"location_latitude": "48.7787", "location_longitude": "2.2905"}).is_valid()
    assert not SceauxForm({"location_latitude": "48.8566", "location_longitude": "2.3522"}).is_valid()


@pytest.mark.parametrize(("point", "message"), [
    (("abc", "2.35"), "La latitude doit être un nombre en degrés décimaux, par exemple 48,8566."),
    (("48.85", "deux"), "La longitude doit être un nombre en degrés décimaux, par exemple 2,3522."),
    (("nan", "2.35"), "La latitude doit être un nombre en degrés décimaux, par exemple 48,8566."),
    (("48.85", "inf"), "La longitude doit être un nombre en degrés décimaux, par exemple 2,3522."),
    (("1e400", "2.35"), "La latitude doit être un nombre en degrés décimaux, par exemple 48,8566."),
    (("95", "2.35"), "La latitude doit être comprise entre -90 et 90."),
    (("48.85", "-200"), "La longitude doit être comprise entre -180 et 180."),
    (("48.85", ""), "Indiquez la latitude et la longitude."),
    (("", "2.35"), "Indiquez la latitude et la longitude."),
    (("2.3522", "48.8566"), "La latitude et la longitude semblent inversées\u00a0: dans la Métropole, la latitude "
                            "est d’environ 48,8 et la longitude d’environ 2,4."),
])
def test_garbage_gets_a_clear_french_error(boundaries, point, message):
    assert errors(submit(point=point)) == [message]


def test_an_empty_optional_point_is_none():
    form = submit(point=("", ""))

    assert form.is_valid()
    assert form.cleaned_data["location"] is None
    nothing_sent = PlaceForm({})
    assert nothing_sent.is_valid() and nothing_sent.cleaned_data["location"] is None


def test_an_empty_required_point_says_what_to_do():
    assert errors(submit(RequiredPlaceForm, point=("", ""))) == [
        "Choisissez le lieu sur la carte, ou indiquez sa latitude et sa longitude."
    ]


def test_without_boundaries_only_a_rectangle_around_the_metropole_is_checked():
    assert not Organisation.objects.filter(boundary__isnull=False).exists()

    assert submit(point=HOTEL_DE_VILLE_DE_PARIS).is_valid()
    assert submit(point=MAIRIE_DE_MONTREUIL, within=commune("sceaux")).is_valid()
    assert errors(submit(point=LYON)) == [
        "Ce lieu est hors de la Métropole du Grand Paris\u00a0: choisissez un lieu dans l’une de ses communes."
    ]


def test_has_changed_compares_the_numbers_not_the_text():
    field = PointField(required=False)

    assert not field.has_changed((48.8566, 2.3522), ("48,8566", "2.3522"))
    assert field.has_changed((48.8566, 2.3522), ("48.8567", "2.3522"))
    assert field.has_changed(None, ("48.8566", "2.3522"))
    assert not field.has_changed(None, ("", ""))
    assert field.has_changed(None, ("abc", ""))


# --- Rendering inside includes/form.html -------------------------------------------------------------

FORM_TEMPLATE = engines["django"].from_string('{% include "includes/form.html" %}')


def test_the_field_renders_two_labelled_inputs_described_by_the_hint():
    html = FORM_TEMPLATE.render({"form": PlaceForm()})

    assert '<label for="id_location_latitude">Emplacement <span class="optional">(facultatif)</span></label>' in html
    assert '<label for="id_location_latitude">Latitude</label>' in html
    assert '<label for="id_location_longitude">Longitude</label>' in html
    assert 'id="id_location_helptext">En degrés décimaux, par exemple 48,8566 et 2,3522' in html
    assert html.count('aria-describedby="id_location_helptext"') == 2
    assert 'inputmode="decimal"' in html
    # Map, button and instructions are JavaScript's: hidden until map.js shows them.
    assert 'id="id_location_map" role="application" aria-label="Carte\u00a0: choisir le lieu"' in html
    assert "Utiliser ma position" in html
    assert 'data-boundaries-url="/communes/contours.geojson"' in html


def test_after_an_error_the_inputs_keep_what_was_typed_and_point_to_the_error(boundaries):
    form = submit(point=("48,8", "abc"))
    form.is_valid()

    html = FORM_TEMPLATE.render({"form": form})

    assert 'value="48,8"' in html and 'value="abc"' in html
    assert html.count('aria-describedby="id_location_helptext id_location_error"') == 2
    assert html.count('aria-invalid="true"') == 2
    assert '<a href="#id_location_latitude">Emplacement&nbsp;: La longitude doit être un nombre' in html


def test_initial_floats_are_shown_with_a_point_and_no_trailing_zeros():
    html = FORM_TEMPLATE.render({"form": PlaceForm(initial={"location": (48.85, 2.3522001)})})

    assert 'value="48.85"' in html and 'value="2.3522"' in html


def test_a_required_field_marks_both_inputs_required():
    html = FORM_TEMPLATE.render({"form": RequiredPlaceForm()})

    assert html.count(" required") == 2


def test_within_gives_the_map_the_bounds_of_the_organisation(boundaries):
    form = submit(point=("", ""), within=commune("sceaux"))

    html = FORM_TEMPLATE.render({"form": form})

    bounds = json.loads(html.split('data-bounds="')[1].split('"')[0].replace("&quot;", '"'))
    (south, west), (north, east) = bounds
    assert 48.76 < south < 48.7787 < north < 48.80 and 2.27 < west < 2.2905 < east < 2.32


# --- The points map include --------------------------------------------------------------------------

def test_map_points_include_draws_a_named_region_loading_its_own_leaflet():
    template = engines["django"].from_string(
        '{% include "includes/map_points.html" with points_url="/x/points.geojson" label="Carte des propositions" %}'
    )

    html = template.render({})

    assert 'role="region" aria-label="Carte des propositions"' in html
    assert 'data-points-url="/x/points.geojson"' in html
    assert "leaflet/leaflet.js" in html and "leaflet.markercluster.js" in html and "concerto/map.js" in html
    assert "La carte a besoin de JavaScript\u00a0; la liste ci-dessous présente les mêmes éléments." in html


# --- The communes' outlines --------------------------------------------------------------------------

URL = "/communes/contours.geojson"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_outlines_are_a_small_valid_feature_collection_of_the_130_communes(client, boundaries):
    response = client.get(URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert reverse("communes_boundaries") == URL
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) == 130
    names = {feature["properties"]["name"] for feature in data["features"]}
    assert {"Paris", "Sceaux", "Montreuil", "Saint-Denis"} <= names
    for feature in data["features"]:
        geometry = shape(feature["geometry"])
        assert feature["geometry"]["type"] in {"Polygon", "MultiPolygon"}
        assert shapely.is_valid(geometry) and not geometry.is_empty, feature["properties"]
    sceaux = next(f for f in data["features"] if f["properties"]["name"] == "Sceaux")
    assert shape(sceaux["geometry"]).contains(shapely.Point(2.2905, 48.7787))
    # Measured: 87 KB (19 KB gzipped) from the 114 KB reference file.
    assert len(response.content) < 100_000


def test_outlines_are_compressed_for_browsers_that_accept_gzip(client, boundaries):
    response = client.get(URL, headers={"accept-encoding": "gzip"})

    assert response["Content-Encoding"] == "gzip"
    body = gzip.decompress(response.content)
    assert len(json.loads(body)["features"]) == 130
    assert len(response.content) < 25_000


def test_outlines_are_cached_and_revalidated_with_their_etag(client, boundaries, django_assert_max_num_queries):
    first = client.get(URL)
    assert "public" in first["Cache-Control"] and "max-age=3600" in first["Cache-Control"]
    etag = first["ETag"]

    with django_assert_max_num_queries(1):
        again = client.get(URL)
    assert again.content == first.content

    not_modified = client.get(URL, headers={"if-none-match": etag})
    assert not_modified.status_code == 304
    assert not_modified["ETag"] == etag and "max-age=3600" in not_modified["Cache-Control"]
    # Gzipped responses carry a weak ETag; it still matches.
    assert client.get(URL, headers={"if-none-match": f"W/{etag}"}).status_code == 304


def test_a_new_import_changes_the_etag_and_the_outlines(client, boundaries, tmp_path):
    etag = client.get(URL)["ETag"]
    square = {"type": "Polygon", "coordinates": [[[2.28, 48.77], [2.30, 48.77], [2.30, 48.78], [2.28, 48.78],
                                                  [2.28, 48.77]]]}
    path = tmp_path / "sceaux.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "92071"}, "geometry": square}]}))
    with open("/dev/null", "w") as quiet:
        call_command("import_boundaries", str(path), stdout=quiet)

    response = client.get(URL, headers={"if-none-match": etag})

    assert response.status_code == 200 and response["ETag"] != etag
    sceaux = next(f for f in response.json()["features"] if f["properties"]["code"] == "92071")
    assert shape(sceaux["geometry"]).equals(shape(square))


def test_without_boundaries_the_outlines_are_an_empty_collection(client):
    response = client.get(URL)

    assert response.status_code == 200
    assert response.json()["features"] == []
    assert response.json()["map"] == {"tiles": "", "attribution": ""}


def test_a_configured_tile_server_travels_with_the_outlines(client, settings):
    settings.CONCERTO_MAP_TILES_URL = "https://tuiles.example.org/{z}/{x}/{y}.png"
    settings.CONCERTO_MAP_ATTRIBUTION = "© contributeurs OpenStreetMap"

    assert client.get(URL).json()["map"] == {
        "tiles": "https://tuiles.example.org/{z}/{x}/{y}.png", "attribution": "© contributeurs OpenStreetMap",
    }


def test_outlines_refuse_writes(client):
    assert client.post(URL).status_code == 405
