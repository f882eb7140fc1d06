"""The score on known numbers, the public API's shape and errors, and the panel of the participation overview."""

import pytest
from django.test import Client

from concerto import testing
from concerto.core.insights.representativeness import representativeness_for, score_of
from concerto.testing import SpaceFactory

pytestmark = pytest.mark.django_db
API = "/api/v1/insights/representativeness"


def test_the_score_is_one_minus_the_total_variation_distance():
    assert score_of([0.5, 0.5], [0.5, 0.5]) == 1
    assert score_of([1, 0], [0, 1]) == 0
    assert score_of([0, 0.5, 0.25, 0.25, 0, 0], [0.1, 0.2, 0.3, 0.2, 0.1, 0.1]) == pytest.approx(0.65)


def test_participants_are_people_with_a_year_of_birth_by_insee_band(sceaux_table, participants, sceaux):
    result = representativeness_for(organisation=sceaux, space=participants["space"], channels=True)
    assert result.participants == 4  # the person without a year of birth is left out, the one on paper counts once
    assert [band.participants for band in result.bands] == [0, 2, 1, 1, 0, 0]
    assert result.score == pytest.approx(0.65)
    assert [band.key for band in result.under_represented] == ["0-14", "60-74", "75+"]
    scores = {name: (people, score) for name, people, score in result.channels}
    assert scores["Site web"][0] == 4 and scores["Papier"] == (1, pytest.approx(20.0))  # one aged 26: 1 − 0.8


def test_the_api_answers_with_the_documented_keys_in_insee_s_order(sceaux_table, participants, sceaux):
    response = Client().get(API, {"organisation": "sceaux", "space": participants["space"].pk})
    assert response.status_code == 200
    body = response.json()
    assert [band["band"] for band in body["bands"]] == ["0-14", "15-29", "30-44", "45-59", "60-74", "75+"]
    assert body["bands"][1] == {"band": "15-29", "population_share": 0.2, "participant_share": 0.5,
                                "participants": 2}
    assert body["score"] == pytest.approx(0.65) and body["participants"] == 4
    assert body["source"] == "Test (2020)" and body["population"]["missing_communes"] == []
    assert Client().get(API, {"organisation": "sceaux"}).json()["participants"] == 4


def test_a_commune_without_a_table_is_said_not_guessed(sceaux_table):
    body = Client().get(API, {"organisation": "marnes-la-coquette"}).json()
    assert body["score"] is None and body["population"] is None and body["source"] is None
    assert [band["population_share"] for band in body["bands"]] == [None] * 6
    assert "Aucune table de population" in body["reason"]


def test_unknown_organisations_and_spaces_of_another_commune_are_404_in_french(sceaux_table, montreuil):
    response = Client().get(API, {"organisation": "nulle-part"})
    assert response.status_code == 404 and "nulle-part" in response.json()["detail"]
    other = SpaceFactory(organisation=montreuil, slug="m", title="M", status="published")
    response = Client().get(API, {"organisation": "sceaux", "space": other.pk})
    assert response.status_code == 404 and "Aucun espace publié" in response.json()["detail"]
    draft = SpaceFactory(organisation=testing.commune("sceaux"), slug="brouillon", title="B", status="draft")
    assert Client().get(API, {"organisation": "sceaux", "space": draft.pk}).status_code == 404
    assert Client().get(API, {"organisation": "sceaux", "space": "x"}).status_code == 422


def test_the_territory_sums_its_communes(sceaux_table, participants, sceaux):
    body = Client().get(API, {"organisation": sceaux.parent.slug}).json()
    assert body["population"]["communes"] == 1 and len(body["population"]["missing_communes"]) > 0
    assert body["participants"] == 4


def test_the_panel_shows_the_gap_and_suggestions_to_officials_only(sceaux_table, participants, elected, outsider):
    client = Client()
    testing.login_with_mfa(client, elected)
    page = client.get(f"/gestion/sceaux/{participants['space'].slug}/participation/").content.decode()
    assert "Les participants ressemblent-ils à la population\u00a0?" in page
    assert "65\u00a0%" in page and "0 à 14 ans" in page
    assert "Représentativité par canal" in page and "Avis" in page
    assert "avant la clôture" in page
    other = Client()
    testing.login_with_mfa(other, outsider)
    assert other.get(f"/gestion/sceaux/{participants['space'].slug}/participation/").status_code == 403


def test_the_panel_reads_the_concertation_plan_against_the_gap(sceaux_table, participants, elected, agent):
    """What the plan set out to reach, where each of those publics stands, the gaps the plan does not name, its
    actors and its next dates (core/mobilisation/advice.py), with a link to the plan's publics."""
    import datetime

    from django.utils import timezone

    from concerto.core.mobilisation.models import Plan, PlanMilestone, PlanStakeholder

    today = timezone.localdate()
    plan = Plan.objects.create(space=participants["space"], age_bands=["15-29", "60-74"])
    PlanStakeholder.objects.create(plan=plan, name="Club des anciens", role="Relais", reached_by="Par téléphone")
    PlanMilestone.objects.create(plan=plan, date=today + datetime.timedelta(days=3), kind="event",
                                 title="Atelier au club des anciens")
    PlanMilestone.objects.create(plan=plan, date=today - datetime.timedelta(days=3), kind="posters",
                                 title="Affiches déjà posées")
    url = f"/gestion/sceaux/{participants['space'].slug}/participation/"
    client = Client()
    testing.login_with_mfa(client, elected)
    page = client.get(url).content.decode()
    assert "Ce que prévoit le plan de concertation" in page
    # 15-29: two of the four people who gave an age (50 %) against 20 % of the inhabitants.
    assert "15 à 29 ans\u00a0: public visé par le plan, atteint" in page
    assert "60 à 74 ans\u00a0: public visé par le plan, toujours sous-représenté" in page
    absent = page.split("absents des publics du plan\u00a0:")[1].split("</p>")[0]
    assert "0 à 14 ans" in absent and "60 à 74" not in absent
    assert "Club des anciens · Par téléphone" in page
    assert "Atelier au club des anciens" in page and "Affiches déjà posées" not in page
    assert f"/gestion/sceaux/{participants['space'].slug}/plan/publics/" in page
    plan.age_bands = ["0-14", "15-29", "60-74", "75+"]
    plan.save()
    kit = f"/gestion/sceaux/kits/nouveau/?target=space:{participants['space'].pk}"
    assert kit not in page  # making a print kit is for those who manage spaces
    editor = Client()
    testing.login_with_mfa(editor, agent)
    page = editor.get(url).content.decode()
    assert "absents des publics du plan" not in page
    assert kit in page


def test_a_space_without_a_plan_is_invited_to_write_one(sceaux_table, participants, agent):
    client = Client()
    testing.login_with_mfa(client, agent)
    page = client.get(f"/gestion/sceaux/{participants['space'].slug}/participation/").content.decode()
    assert "Cet espace n’a pas encore de plan de concertation" in page
    assert f"/gestion/sceaux/{participants['space'].slug}/plan/" in page


def test_the_panel_proposes_a_campaign_to_each_under_represented_band_to_those_who_may_send_one(
        sceaux_table, participants, elected, agent):
    space = participants["space"]
    url = f"/gestion/sceaux/{space.slug}/participation/"
    client = Client()
    testing.login_with_mfa(client, agent)
    page = client.get(url).content.decode()
    link = f"/gestion/sceaux/campagnes/nouvelle/?age_band=0-14&amp;space={space.pk}"
    assert link in page and "Envoyer une campagne aux personnes de 0 à 14 ans" in page
    form = client.get(link.replace("&amp;", "&")).content.decode()
    assert 'value="0-14" selected' in form
    official = Client()
    testing.login_with_mfa(official, elected)
    assert "/campagnes/nouvelle/" not in official.get(url).content.decode()  # officials do not send
