"""Addresses through the server: search, reverse, cache, a service down or slow, an address outside the Métropole.

Every test talks to a local fake of the Base Adresse Nationale (the `geocoder` fixture, concerto.testing.fake_ban).
"""

import time

import pytest
from django.urls import reverse

from concerto.core import geocoding
from concerto.core.maps import PointField
from concerto.testing import boundaries_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def outlines():
    boundaries_import()


def test_search_gives_the_addresses_of_the_metropole_with_their_commune(geocoder, outlines, client):
    response = client.get(reverse("address_search"), {"q": "rue houdan"})

    assert response.status_code == 200
    results = response.json()["results"]
    assert [result["label"] for result in results] == [
        "12 Rue Houdan 92330 Sceaux", "1 Rue Houdan 92330 Sceaux", "122 Rue Houdan 92330 Sceaux"]
    assert results[0]["commune"] == "Sceaux"
    assert results[0]["latitude"] == pytest.approx(48.77803)


def test_an_address_outside_the_metropole_is_never_offered(geocoder, outlines, client):
    response = client.get(reverse("address_search"), {"q": "place d'armes versailles"})

    assert response.json() == {"results": []}


def test_reverse_names_the_nearest_address(geocoder, client):
    response = client.get(reverse("address_reverse"), {"lat": "48.77801", "lon": "2.29021"})

    assert response.json() == {"label": "12 Rue Houdan 92330 Sceaux"}


def test_a_second_lookup_is_answered_from_the_cache(geocoder, client):
    for _ in range(3):
        assert client.get(reverse("address_search"), {"q": "Rue  Houdan"}).json()["results"]
        assert client.get(reverse("address_reverse"), {"lat": "48.778031", "lon": "2.290192"}).json()["label"]
    assert len([path for path in geocoder.requests if path.startswith("/search")]) == 1
    assert len([path for path in geocoder.requests if path.startswith("/reverse")]) == 1


def test_a_service_down_is_said_in_french_and_not_cached(geocoder, client, caplog):
    geocoder.mode = "down"

    response = client.get(reverse("address_search"), {"q": "rue houdan"}, HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 503
    assert "Le service d’adresses ne répond pas" in response.json()["error"]
    assert "Geocoder search failed" in caplog.text
    geocoder.mode = "ok"
    assert client.get(reverse("address_search"), {"q": "rue houdan"}).json()["results"]


def test_a_slow_service_costs_at_most_the_timeout(geocoder, client):
    geocoder.mode, geocoder.delay = "slow", 2.0

    started = time.monotonic()
    response = client.get(reverse("address_reverse"), {"lat": "48.778", "lon": "2.290"})

    assert response.status_code == 503
    assert time.monotonic() - started < 1.5


def test_bad_coordinates_get_a_400_in_words(client, geocoder):
    response = client.get(reverse("address_reverse"), {"lat": "nord", "lon": "2.3"}, HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 400
    assert "latitude" in response.json()["error"]


def test_without_a_geocoder_the_endpoints_answer_that_addresses_are_off(client):
    assert client.get(reverse("address_search"), {"q": "rue houdan"}).json() == {"results": [], "disabled": True}
    assert geocoding.address_at(48.778, 2.29) == ""


def test_lookups_are_rate_limited_per_sender(geocoder, client, rate_limits):
    rate_limits.CONCERTO_RATE_LIMITS = {"address_lookup": (2, 60)}
    client.get(reverse("address_search"), {"q": "rue houdan"})  # an address gets 5 times more: 10

    answers = [client.get(reverse("address_search"), {"q": "rue houdan"}).status_code for _ in range(10)]

    assert answers[-1] == 429


# --- The form field --------------------------------------------------------------------------------------

def _clean(data, **kwargs):
    field = PointField(**kwargs)
    return field.clean(field.widget.value_from_datadict(data, {}, "location"))


def test_an_address_typed_without_a_point_is_located_on_submit(geocoder, outlines):
    point = _clean({"location_address": "12 rue Houdan Sceaux", "location_latitude": "", "location_longitude": ""})

    assert point == pytest.approx((48.77803, 2.29019))
    assert point.address == "12 Rue Houdan 92330 Sceaux"


def test_a_typed_point_keeps_the_address_the_person_typed(geocoder, outlines):
    point = _clean({"location_address": "devant la boulangerie", "location_latitude": "48.7787",
                    "location_longitude": "2.2905"})

    assert point == (48.7787, 2.2905)
    assert point.address == "devant la boulangerie"


@pytest.mark.parametrize("address, message", [
    ("1 place d'Armes Versailles", "Cette adresse est hors de la Métropole du Grand Paris"),
    ("rue qui n'existe pas", "Aucune adresse de la Métropole du Grand Paris ne correspond"),
])
def test_an_address_outside_or_unknown_is_refused_in_french(geocoder, outlines, address, message):
    from django import forms
    from django.utils import translation

    with translation.override("fr"), pytest.raises(forms.ValidationError) as refused:
        _clean({"location_address": address, "location_latitude": "", "location_longitude": ""})
    assert message in refused.value.messages[0]


def test_with_the_service_down_a_typed_point_still_works_and_an_address_alone_says_why(geocoder, outlines):
    from django import forms
    from django.utils import translation

    geocoder.mode = "down"
    point = _clean({"location_address": "12 rue Houdan", "location_latitude": "48.7787",
                    "location_longitude": "2.2905"})
    assert point == (48.7787, 2.2905)

    with translation.override("fr"), pytest.raises(forms.ValidationError) as refused:
        _clean({"location_address": "12 rue Houdan", "location_latitude": "", "location_longitude": ""})
    assert "Le service d’adresses ne répond pas pour le moment\u00a0: placez le point sur la carte" in (
        refused.value.messages[0])


def test_the_widget_shows_the_address_input_and_the_search_urls(geocoder):
    html = PointField().widget.render("location", None)

    assert 'name="location_address"' in html
    assert f'data-search-url="{reverse("address_search")}"' in html


# --- Filling a located row's address ---------------------------------------------------------------------

def test_address_fill_writes_the_address_now_or_enqueues_the_worker(geocoder, django_capture_on_commit_callbacks):
    from concerto.core.territory.models import Organisation

    class Row:
        """A stand-in with the fields address_fill reads (the real models are the components')."""
        address, latitude, longitude, pk = "", 48.77803, 2.29019, 1
        _meta = Organisation._meta

        class objects:  # noqa: N801
            @staticmethod
            def filter(**kwargs):
                class Updated:
                    def update(self, **values):
                        Row.updated = values
                return Updated()

    row = Row()
    geocoding.address_fill(row)
    assert row.address == "12 Rue Houdan 92330 Sceaux"

    geocoder.mode = "down"
    late = Row()
    late.latitude = 48.7800
    with django_capture_on_commit_callbacks() as callbacks:
        geocoding.address_fill(late)
    assert late.address == "" and len(callbacks) == 1
