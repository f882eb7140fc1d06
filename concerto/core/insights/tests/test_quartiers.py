"""Representativeness by quartier: the priority areas (QPV) against the rest, each quartier, what is not measured
and why, quartiers under 5 participants left out, and the API's new key beside the old ones."""

import pytest
from django.test import Client
from django.utils import timezone

from concerto import testing
from concerto.core.insights.representativeness import representativeness_for
from concerto.core.participation.services import contribution_record
from concerto.core.territory.models import Quartier
from concerto.testing import ComponentFactory, SpaceFactory, UserFactory

pytestmark = pytest.mark.django_db
API = "/api/v1/insights/representativeness"


@pytest.fixture
def quartiers(sceaux):
    """Sceaux (1,000 inhabitants in its table): Les Blagis, a QPV of 250, Centre of 400, Robinson (no population)."""
    return {name: Quartier.objects.create(organisation=sceaux, name=name, priority_area=qpv, population=population,
                                          population_source="Test" if population else "")
            for name, qpv, population in (("Les Blagis", True, 250), ("Centre", False, 400),
                                          ("Robinson", False, None))}


@pytest.fixture
def space(sceaux):
    return SpaceFactory(organisation=sceaux, slug="plu", title="PLU", status="published")


def _take_part(space, sceaux, spread: dict, quartiers) -> None:
    """SPREAD: quartier name (or None for no quartier) -> how many people of Sceaux took part from there."""
    component = ComponentFactory(space=space, kind="proposals", title="Avis")
    year = timezone.localdate().year
    for name, count in spread.items():
        for n in range(count):
            person = UserFactory(email=f"{name or 'aucun'}-{n}@example.org".replace(" ", ""), birth_year=year - 40,
                                 residence=sceaux, quartier=quartiers[name] if name else None,
                                 demographics_consent_at=timezone.now())
            contribution_record(kind="test.item", target=component, component=component, author=person)


def test_the_priority_areas_against_the_rest(sceaux_table, sceaux, space, quartiers):
    _take_part(space, sceaux, {"Les Blagis": 5, "Centre": 10, "Robinson": 5, None: 7}, quartiers)
    figures = representativeness_for(organisation=sceaux, space=space, quartiers=True).quartiers
    assert figures.answered == 20  # the 7 without a quartier are not counted
    assert figures.priority.participants == 5 and figures.priority.participant_share == 0.25
    assert figures.priority.population_share == 0.25  # 250 of the 1,000 inhabitants of the census table
    assert figures.rest.participants == 15 and figures.rest.population_share == 0.75
    rows = {row.name: row for row in figures.rows}
    assert rows["Centre"].participant_share == 0.5 and rows["Centre"].population_share == 0.4
    assert rows["Robinson"].population_share is None  # unknown, never guessed
    assert figures.fragile  # under 30


def test_a_quartier_under_5_participants_is_left_out(sceaux_table, sceaux, space, quartiers):
    _take_part(space, sceaux, {"Les Blagis": 4, "Centre": 6}, quartiers)
    figures = representativeness_for(organisation=sceaux, space=space, quartiers=True).quartiers
    assert [row.name for row in figures.rows] == ["Centre"] and figures.suppressed == 2
    assert figures.priority.participants is None and "Moins de 5 participants" in figures.reason
    body = Client().get(API, {"organisation": "sceaux", "space": space.pk}).json()
    assert body["quartiers"]["priority_areas"] == {"population_share": 0.25, "participant_share": None,
                                                   "participants": None}
    assert [row["name"] for row in body["quartiers"]["quartiers"]] == ["Centre"]
    assert "Les Blagis" not in str(body["quartiers"]["quartiers"])


def test_no_quartier_defined_is_said(sceaux_table, participants, sceaux):
    body = Client().get(API, {"organisation": "sceaux"}).json()
    assert body["quartiers"]["priority_areas"] is None and body["quartiers"]["quartiers"] == []
    assert "Aucun quartier n’est décrit pour cette commune" in body["quartiers"]["reason"]


def test_the_api_keeps_its_keys_and_adds_quartiers(sceaux_table, sceaux, space, quartiers):
    _take_part(space, sceaux, {"Les Blagis": 5, "Centre": 5}, quartiers)
    body = Client().get(API, {"organisation": "sceaux", "space": space.pk}).json()
    assert set(body) == {"organisation", "space", "bands", "score", "participants", "reference_year",
                         "under_represented", "source", "population", "reason", "quartiers"}
    assert body["participants"] == 10 and body["source"] == "Test (2020)" and len(body["bands"]) == 6
    assert body["quartiers"]["priority_areas"] == {"population_share": 0.25, "participant_share": 0.5,
                                                   "participants": 5}
    assert body["quartiers"]["participants"] == 10
    assert {"name": "Centre", "priority_area": False, "population_share": 0.4, "participant_share": 0.5,
            "participants": 5} in body["quartiers"]["quartiers"]


def test_the_panel_shows_the_qpv_line(sceaux_table, sceaux, space, quartiers, elected):
    _take_part(space, sceaux, {"Les Blagis": 5, "Centre": 15}, quartiers)
    client = Client()
    testing.login_with_mfa(client, elected)
    page = client.get(f"/gestion/sceaux/{space.slug}/participation/").content.decode()
    assert "Quartiers prioritaires (QPV) face au reste de la commune" in page
    assert "Quartiers prioritaires (QPV)</th><td>5</td><td>25\u00a0%</td><td>25\u00a0%</td>" in page
    assert "Reste de la commune" in page and "Moins de 30 personnes" in page
    assert "1 quartier a moins de 5 participants" in page  # Robinson: nobody


def test_the_panel_says_when_no_quartier_is_described(sceaux_table, participants, agent):
    client = Client()
    testing.login_with_mfa(client, agent)
    page = client.get("/gestion/sceaux/participation/").content.decode()
    assert "Aucun quartier n’est décrit pour cette commune" in page
    assert 'href="/gestion/sceaux/quartiers/"' in page
