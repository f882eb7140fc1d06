"""Following a place: the reports made around it show in the person's feed, those further away do not."""

import re

import pytest

from concerto.components.reports import services
from concerto.components.reports.models import Category
from concerto.core.participation.models import FollowedPlace

from .conftest import SCEAUX_POINT

pytestmark = pytest.mark.django_db


@pytest.fixture
def lighting(sceaux):
    return Category.objects.create(organisation=sceaux, code="eclairage", name="Éclairage public")


def _report(category, latitude, longitude, description):
    return services.report_create(category=category, kind="malfunction", latitude=latitude, longitude=longitude,
                                  description=description, email="voisin@example.org")


def _titles(response) -> list[str]:
    return re.findall(r'class="card__link" href="[^"]*">([^<]+)</a>', response.content.decode())


def test_a_resident_follows_a_place_and_sees_the_reports_around_it_only(client, resident, places, lighting):
    client.force_login(resident)
    response = client.post("/mon-fil/lieux/", {"location_address": "", "location_latitude": str(SCEAUX_POINT[0]),
                                                "location_longitude": str(SCEAUX_POINT[1]), "radius": "1000"})
    assert response.status_code == 302
    place = FollowedPlace.objects.get(user=resident)
    assert place.radius == 1000
    near = _report(lighting, SCEAUX_POINT[0] + 0.004, SCEAUX_POINT[1], "Lampadaire éteint")  # about 450 m north
    _report(lighting, SCEAUX_POINT[0] - 0.0095, SCEAUX_POINT[1] + 0.0095, "Trop loin")  # about 1,280 m away
    page = client.get("/mon-fil/")
    assert _titles(page) == ["Signalement\u00a0: Éclairage public"]
    assert near.get_absolute_url() in page.content.decode()
    assert "dans un rayon de 1\u202f000\u00a0m" in page.content.decode()
    # Another resident who follows nothing sees nothing of it.
    other = resident.__class__.objects.create_user(email="autre@example.org", password="x")
    client.force_login(other)
    assert _titles(client.get("/mon-fil/")) == []
    client.force_login(resident)
    client.post(f"/mon-fil/lieux/{place.pk}/retirer/")
    assert not FollowedPlace.objects.filter(user=resident).exists()
    assert _titles(client.get("/mon-fil/")) == []


def test_bad_places_are_refused_in_french_and_nothing_is_saved(client, resident, places):
    client.force_login(resident)
    outside = client.post("/mon-fil/lieux/", {"location_latitude": "48.40", "location_longitude": "2.70",
                                              "radius": "1000"})
    assert outside.status_code == 400
    assert "hors de la Métropole" in outside.content.decode()
    odd = client.post("/mon-fil/lieux/", {"location_latitude": str(SCEAUX_POINT[0]),
                                          "location_longitude": str(SCEAUX_POINT[1]), "radius": "123456"})
    assert odd.status_code == 400
    assert 'value="48.7745"' in odd.content.decode()  # what was typed is kept
    assert not FollowedPlace.objects.exists()
    for _ in range(FollowedPlace.MAX_PER_PERSON):
        client.post("/mon-fil/lieux/", {"location_latitude": str(SCEAUX_POINT[0]),
                                        "location_longitude": str(SCEAUX_POINT[1]), "radius": "300"})
    sixth = client.post("/mon-fil/lieux/", {"location_latitude": str(SCEAUX_POINT[0]),
                                            "location_longitude": str(SCEAUX_POINT[1]), "radius": "300"})
    assert sixth.status_code == 400
    assert "retirez-en un" in sixth.content.decode()
    assert FollowedPlace.objects.filter(user=resident).count() == FollowedPlace.MAX_PER_PERSON


def test_a_person_cannot_remove_someone_elses_place(client, resident, places):
    other = resident.__class__.objects.create_user(email="autre@example.org", password="x")
    place = FollowedPlace.objects.create(user=other, label="Chez moi", latitude=SCEAUX_POINT[0],
                                         longitude=SCEAUX_POINT[1], radius=300)
    client.force_login(resident)
    client.post(f"/mon-fil/lieux/{place.pk}/retirer/")
    assert FollowedPlace.objects.filter(pk=place.pk).exists()
