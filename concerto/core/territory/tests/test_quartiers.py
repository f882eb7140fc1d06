"""Quartiers of a commune in the back-office: agents add, change and delete them, elected officials read them,
another commune's agent gets nothing; outlines and populations are checked, with French errors."""

import json

import pytest
from django.urls import reverse
from django.utils import translation

from concerto.core.audit.models import AuditEntry
from concerto.core.backoffice.audit_labels import action_label
from concerto.core.territory.models import Quartier
from concerto.core.territory.quartiers import area_contains, quartier_at

pytestmark = pytest.mark.django_db

# Sceaux as a small square (the tests do not need its real outline), and a quartier inside it.
SQUARE = {"type": "Polygon", "coordinates": [[[2.28, 48.77], [2.31, 48.77], [2.31, 48.79], [2.28, 48.79],
                                              [2.28, 48.77]]]}
INSIDE = {"type": "Polygon", "coordinates": [[[2.29, 48.775], [2.30, 48.775], [2.30, 48.785], [2.29, 48.785],
                                              [2.29, 48.775]]]}
FAR = {"type": "Polygon", "coordinates": [[[2.44, 48.85], [2.45, 48.85], [2.45, 48.86], [2.44, 48.86],
                                           [2.44, 48.85]]]}


@pytest.fixture
def commune(sceaux):
    sceaux.boundary = SQUARE
    sceaux.save()
    return sceaux


def _url(name, *args, org="sceaux"):
    return reverse(f"backoffice:{name}", args=[org, *args])


def _post(**values):
    data = {"name": "Les Blagis", "priority_area": "on", "polygon": json.dumps(INSIDE), "population": "2900",
            "population_source": "INSEE, recensement 2021", "population_year": "2021", "position": "1"}
    data.update(values)
    return {key: value for key, value in data.items() if value is not None}


def test_an_agent_adds_changes_and_deletes_a_quartier(staff_client, agent, commune):
    browser = staff_client(agent)
    page = browser.get(_url("quartiers")).content.decode()
    assert "Aucun quartier pour l’instant." in page and _url("quartier_create") in page
    form = browser.get(_url("quartier_create")).content.decode()
    assert 'data-area-widget' in form and '<textarea name="polygon"' in form  # the map, and the no-JS textarea
    response = browser.post(_url("quartier_create"), _post(band_0_14="400", band_75_plus=""))
    assert response.status_code == 302
    quartier = Quartier.objects.get(organisation=commune)
    assert quartier.name == "Les Blagis" and quartier.priority_area and quartier.population == 2900
    assert quartier.polygon == INSIDE and quartier.population_by_band == {"0-14": 400}
    listing = browser.get(_url("quartiers")).content.decode()
    assert "Les Blagis" in listing and "INSEE, recensement 2021" in listing
    # a Feature pasted is taken as its geometry
    response = browser.post(_url("quartier", quartier.pk), _post(
        name="Les Blagis-Centre", polygon=json.dumps({"type": "Feature", "properties": {}, "geometry": INSIDE})))
    assert response.status_code == 302
    quartier.refresh_from_db()
    assert quartier.name == "Les Blagis-Centre" and quartier.polygon == INSIDE
    assert browser.post(_url("quartier_delete", quartier.pk)).status_code == 302
    assert not Quartier.objects.exists()
    assert list(AuditEntry.objects.filter(action__startswith="quartier.").values_list("action", flat=True)
                .order_by("pk")) == ["quartier.created", "quartier.changed", "quartier.deleted"]
    with translation.override("fr"):
        assert [str(action_label(code)) for code in ("quartier.created", "quartier.deleted")] == [
            "Quartier ajouté", "Quartier supprimé"]


@pytest.mark.parametrize("values, message", [
    ({"polygon": "{pas du json"}, "Ce texte n’est pas du GeoJSON."),
    ({"polygon": json.dumps({"type": "Point", "coordinates": [2.29, 48.78]})}, "doit être un Polygon"),
    ({"polygon": json.dumps({"type": "Polygon", "coordinates": [[[2.29, 48.775], [2.30, 48.785], [2.30, 48.775],
                                                                  [2.29, 48.785], [2.29, 48.775]]]})},
     "n’est pas une forme valide"),
    ({"polygon": json.dumps(FAR)}, "est en dehors de Sceaux"),
    ({"population": "-3"}, "supérieure ou égale à 0"),
    ({"population": "beaucoup"}, "Saisissez un nombre entier"),
    ({"population_source": ""}, "Dites d’où vient la population"),
    ({"population": "100", "band_0_14": "400"}, "plus d’habitants que le quartier"),
    ({"name": ""}, "Ce champ est obligatoire"),
])
def test_bad_input_is_refused_in_french_and_kept(staff_client, agent, commune, values, message):
    browser = staff_client(agent)
    response = browser.post(_url("quartier_create"), _post(**values))
    page = response.content.decode()
    assert response.status_code == 400 and message in page, page[page.find("error-summary"):][:1500]
    assert "INSEE, recensement 2021" in page or values.get("population_source") == ""  # what was typed stays
    assert not Quartier.objects.exists()


def test_two_quartiers_of_a_commune_do_not_share_a_name(staff_client, agent, commune):
    Quartier.objects.create(organisation=commune, name="Les Blagis")
    response = staff_client(agent).post(_url("quartier_create"), _post(name="les blagis"))
    assert response.status_code == 400 and "Sceaux a déjà un quartier de ce nom." in response.content.decode()


def test_an_elected_official_reads_but_does_not_change(staff_client, elected, commune):
    quartier = Quartier.objects.create(organisation=commune, name="Les Blagis", priority_area=True, population=2900,
                                       population_source="INSEE")
    browser = staff_client(elected)
    listing = browser.get(_url("quartiers")).content.decode()
    assert "Les Blagis" in listing and _url("quartier_create") not in listing
    page = browser.get(_url("quartier", quartier.pk)).content.decode()
    assert "2900" in page and "<form method=\"post\" novalidate" not in page
    assert browser.post(_url("quartier", quartier.pk), _post(name="Autre")).status_code == 403
    assert browser.post(_url("quartier_delete", quartier.pk)).status_code == 403
    assert browser.get(_url("quartier_create")).status_code == 403
    assert Quartier.objects.get().name == "Les Blagis"


def test_another_communes_agent_gets_nothing(staff_client, outsider, commune, montreuil):
    quartier = Quartier.objects.create(organisation=commune, name="Les Blagis")
    browser = staff_client(outsider)
    assert browser.get(_url("quartiers")).status_code == 403
    assert browser.post(_url("quartier_delete", quartier.pk)).status_code == 403
    # from their own commune's pages, Sceaux's quartier does not exist
    assert browser.get(_url("quartier", quartier.pk, org="montreuil")).status_code == 404
    assert browser.post(_url("quartier_delete", quartier.pk, org="montreuil")).status_code == 404
    assert Quartier.objects.filter(pk=quartier.pk).exists()


def test_only_a_commune_has_quartiers(staff_client, metropole_admin):
    assert staff_client(metropole_admin).get(_url("quartiers", org="metropole")).status_code == 404


def test_a_space_may_not_take_the_word_quartiers(staff_client, agent, commune):
    from concerto.core.spaces.services import reserved_space_slugs

    assert "quartiers" in reserved_space_slugs()


def test_the_quartier_at_a_point(commune):
    blagis = Quartier.objects.create(organisation=commune, name="Les Blagis", polygon=INSIDE)
    Quartier.objects.create(organisation=commune, name="Sans contour")
    assert quartier_at(commune, latitude=48.78, longitude=2.295) == blagis
    assert quartier_at(commune, latitude=48.772, longitude=2.285) is None
    assert area_contains(INSIDE, latitude=48.78, longitude=2.295)
