"""Results: exact figures on a small set of responses, filters, written answers, the map, who sees them,
and paper responses with the share of each channel."""

from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from concerto.components.consultations import services
from concerto.components.consultations.models import Response
from concerto.components.consultations.questionnaire import questionnaire_structure
from concerto.components.consultations.results import NO_COMMUNE, Filters, results_compute
from concerto.core.participation.models import Contribution
from concerto.testing import UserFactory

from .conftest import answers, make_consultation, option

pytestmark = pytest.mark.django_db


def people(n):
    return [UserFactory(email=f"habitant{i}@example.org") for i in range(n)]


@pytest.fixture
def dataset(consultation, questionnaire, agent, sceaux, montreuil):
    """Five responses: three on the web from Sceaux, one on paper from Montreuil, one in person, no commune."""
    q = questionnaire
    walk, bike, car, other = (option(q.transport, label) for label in ("À pied", "À vélo", "En voiture", "Autre"))
    walking, sport, picnic = (option(q.activities, label) for label in ("Promenade", "Sport", "Pique-nique"))
    shade, benches, toilets = (option(q.priorities, label) for label in ("Ombre", "Bancs", "Toilettes"))
    web = [
        answers(q, transport={"option": bike.pk, "other": ""}, bike_days=2.0, satisfaction=5,
                activities={"options": [walking.pk, sport.pk], "other": ""},
                priorities=[shade.pk, benches.pk, toilets.pk],
                ideas="Plus d'arbres près des jeux", visit=date(2026, 5, 3), place=(48.7766, 2.2895)),
        answers(q, transport={"option": bike.pk, "other": ""}, bike_days=4.0, satisfaction=3,
                activities={"options": [walking.pk], "other": ""}, priorities=[benches.pk, shade.pk, toilets.pk],
                ideas="Des toilettes propres", visit=date(2026, 5, 20)),
        answers(q, transport={"option": walk.pk, "other": ""}, satisfaction=4,
                activities={"options": [picnic.pk, sport.pk], "other": ""},
                priorities=[shade.pk, toilets.pk, benches.pk],
                visit=date(2026, 6, 1)),
    ]
    for person, values in zip(people(3), web, strict=True):
        person.residence = sceaux
        person.save()
        services.response_submit(component=consultation, answers=values, respondent=person)
    services.paper_response_enter(actor=agent, component=consultation, channel="paper", residence=montreuil,
                                  answers=answers(q, transport={"option": car.pk, "other": ""}, satisfaction=1,
                                                  bike_days=7.0))  # on foot? no: by car, so bike_days is dropped
    services.paper_response_enter(actor=agent, component=consultation, channel="in_person",
                                  answers={q.transport.pk: {"option": other.pk, "other": "En roller"},
                                           q.satisfaction.pk: 2, q.bike_days.pk: 1.0})
    return q


def by_label(result):
    return {item.label: (item.count, item.percent) for item in result.items}


def test_the_figures_are_exact(consultation, dataset):
    q = dataset
    structure = questionnaire_structure(consultation)
    results = results_compute(structure)
    assert results.total == 5
    assert [(item.key, item.count, item.percent) for item in results.channels] == [
        ("web", 3, 60.0), ("paper", 1, 20.0), ("in_person", 1, 20.0)]
    by_question = {result.question.pk: result for result in results.questions}

    transport = by_question[q.transport.pk]
    assert transport.answered == 5
    assert by_label(transport) == {"À pied": (1, 20.0), "À vélo": (2, 40.0), "En voiture": (1, 20.0),
                                   "Autre": (1, 20.0)}
    assert transport.other_count == 1

    bike_days = by_question[q.bike_days.pk]  # only the two cyclists: the other answers were hidden, so dropped
    assert (bike_days.answered, bike_days.mean, bike_days.median, bike_days.minimum, bike_days.maximum) == \
        (2, 3.0, 3.0, 2.0, 4.0)

    activities = by_question[q.activities.pk]
    assert activities.answered == 4  # the paper response answered "Promenade"; the in-person one nothing
    assert by_label(activities)["Promenade"] == (3, 75.0)
    assert by_label(activities)["Sport"] == (2, 50.0)
    assert by_label(activities)["Pique-nique"] == (1, 25.0)

    priorities = by_question[q.priorities.pk]
    assert priorities.answered == 3
    assert [(item.label, item.average_rank) for item in priorities.items] == [
        ("Ombre", 1.33), ("Bancs", 2.0), ("Toilettes", 2.67)]

    satisfaction = by_question[q.satisfaction.pk]
    assert satisfaction.answered == 5 and satisfaction.mean == 3.0
    assert [item.count for item in satisfaction.items] == [1, 1, 1, 1, 1]

    visit = by_question[q.visit.pk]
    assert [(item.key, item.count) for item in visit.items] == [(date(2026, 5, 1), 3), (date(2026, 6, 1), 1)]
    assert visit.answered == 4

    ideas = by_question[q.ideas.pk]
    assert ideas.answered == 2 and ideas.latest[0] == "Des toilettes propres"
    assert by_question[q.place.pk].answered == 1


def test_filters_by_channel_and_by_commune(consultation, dataset, sceaux, montreuil):
    q = dataset
    structure = questionnaire_structure(consultation)
    paper = results_compute(structure, Filters(channel="paper"))
    assert paper.total == 1
    transport = next(r for r in paper.questions if r.question.pk == q.transport.pk)
    assert by_label(transport)["En voiture"] == (1, 100.0)
    assert [(item.key, item.count) for item in paper.channels] == [("web", 3), ("paper", 1), ("in_person", 1)]

    in_sceaux = results_compute(structure, Filters(residence=sceaux))
    assert in_sceaux.total == 3
    assert [(item.key, item.count) for item in in_sceaux.channels] == [("web", 3)]
    assert results_compute(structure, Filters(residence=montreuil)).total == 1
    assert results_compute(structure, Filters(residence=NO_COMMUNE)).total == 1
    assert results_compute(structure, Filters(channel="web", residence=montreuil)).total == 0


def test_the_results_page_shows_charts_tables_and_the_share_of_each_channel(client, consultation, dataset):
    html = client.get(consultation.get_absolute_url() + "resultats/").content.decode()
    assert "Résultats\u00a0: Votre avis" in html
    assert "<strong>5</strong> réponses comptées" in html
    assert "Réponses par canal" in html and "Papier" in html and "60\u00a0%" in html
    assert f'<caption id="{dataset.transport.field_name}-table">Comment venez-vous au parc ?</caption>' in html
    assert 'class="bars__fill bar-w-40"' in html  # by bike: a bar of 40 %
    assert "2 (40\u00a0%)" in html
    assert "Réponse la plus choisie\u00a0: «\u00a0À vélo\u00a0» (40\u00a0%)." in html
    assert "Moyenne\u00a0: 3." in html  # satisfaction
    assert "Médiane" in html and "Rang moyen" in html
    assert "mai 2026" in html and "juin 2026" in html
    assert "Lire la réponse «\u00a0Autre\u00a0» (1)" in html
    assert "Lire et chercher dans les 2 réponses" in html
    assert "data-map-points" in html and "Commune du lieu" in html
    assert "Toutes les réponses, une par ligne (CSV)" in html


def test_the_page_filters_from_the_address(client, consultation, dataset, sceaux):
    url = consultation.get_absolute_url() + "resultats/"
    html = client.get(url, {"canal": "paper"}).content.decode()
    assert "<strong>1</strong> réponse comptée (filtrées)" in html
    html = client.get(url, {"commune": "sceaux"}).content.decode()
    assert "<strong>3</strong> réponses comptées" in html
    response = client.get(url, {"canal": "pigeon"})
    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert "<strong>5</strong> réponses comptées" in response.content.decode()


def test_written_answers_are_listed_with_a_search_and_pages(client, consultation, questionnaire, settings):
    q = questionnaire
    for index, person in enumerate(people(30)):
        text = f"Idée numéro {index}" + (" avec des arbres" if index % 3 == 0 else "")
        services.response_submit(component=consultation, answers=answers(q, ideas=text), respondent=person)
    url = consultation.get_absolute_url() + f"resultats/questions/{q.ideas.pk}/"
    html = client.get(url).content.decode()
    assert "30 réponses écrites." in html
    assert "Idée numéro 29" in html and "Idée numéro 0" not in html  # newest first, 25 a page
    assert "Page 1 sur 2" in html
    assert "Idée numéro 0" in client.get(url, {"page": 2}).content.decode()
    found = client.get(url, {"q": "ARBRES"}).content.decode()
    assert "10 réponses contiennent «\u00a0ARBRES\u00a0»." in found
    assert "Idée numéro 3 avec des arbres" in found and "Idée numéro 4<" not in found
    assert client.get(consultation.get_absolute_url() + f"resultats/questions/{q.satisfaction.pk}/").status_code == 404


def test_the_other_answers_of_a_choice_question_are_listed(client, consultation, dataset):
    url = consultation.get_absolute_url() + f"resultats/questions/{dataset.transport.pk}/"
    html = client.get(url).content.decode()
    assert "En roller" in html and "les réponses «\u00a0Autre\u00a0»" in html


def test_map_answers_as_geojson(client, consultation, dataset):
    url = consultation.get_absolute_url() + f"resultats/questions/{dataset.place.pk}/points.geojson"
    data = client.get(url).json()
    assert data["type"] == "FeatureCollection"
    assert data["features"][0]["geometry"] == {"type": "Point", "coordinates": [2.2895, 48.7766]}
    assert client.get(url, {"canal": "paper"}).json()["features"] == []


def test_the_number_of_queries_does_not_grow_with_the_responses(client, consultation, dataset, agent):
    url = consultation.get_absolute_url() + "resultats/"
    client.get(url)
    cache.clear()
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(20):
        services.paper_response_enter(actor=agent, component=consultation, answers=answers(dataset))
    with CaptureQueriesContext(connection) as many:
        client.get(url)  # a new response changes the cache key: counted again
    assert len(many) == len(few)
    assert len(few) < 40
    with CaptureQueriesContext(connection) as cached:
        client.get(url)
    assert len(cached) < len(few) - 8


def test_cached_results_follow_every_new_or_changed_response(consultation, questionnaire, resident, agent):
    structure = questionnaire_structure(consultation)
    assert results_compute(structure).total == 0
    response, _ = services.response_submit(component=consultation, answers=answers(questionnaire), respondent=resident)
    assert results_compute(structure).total == 1
    services.response_submit(component=consultation, respondent=resident,
                             answers=answers(questionnaire, satisfaction=1))
    satisfaction = next(r for r in results_compute(structure).questions if r.question == questionnaire.satisfaction)
    assert satisfaction.mean == 1
    paper = services.paper_response_enter(actor=agent, component=consultation, answers=answers(questionnaire))
    assert results_compute(structure).total == 2
    services.response_delete(actor=agent, response=paper)
    assert results_compute(structure).total == 1


# ---------------------------------------------------------------- who sees the results


@pytest.fixture
def staff_only(space, step, agent):
    from .conftest import build_questionnaire

    component = make_consultation(space, results="staff", title="Avis réservé")
    build_questionnaire(component, agent)
    return component


def test_staff_only_results_are_refused_to_residents_and_shown_to_the_team(client, staff_client, resident, agent,
                                                                           elected, staff_only):
    url = staff_only.get_absolute_url() + "resultats/"
    response = client.get(url)
    assert response.status_code == 403
    assert "ne sont montrés qu’à l’équipe" in response.content.decode()
    client.force_login(resident)
    assert client.get(url).status_code == 403
    assert client.get(staff_only.get_absolute_url() + "donnees/reponses.csv").status_code == 403
    page = staff_client(agent).get(url)
    assert page.status_code == 200
    assert "Ces résultats ne sont montrés qu’à l’équipe de la collectivité." in page.content.decode()
    assert staff_client(elected).get(url).status_code == 200


def test_the_outsider_cannot_see_staff_only_results_of_sceaux(staff_client, outsider, staff_only):
    client = staff_client(outsider)
    assert client.get(staff_only.get_absolute_url() + "resultats/").status_code == 403
    base = staff_only.get_absolute_url()
    montreuil_url = base.replace("/sceaux/", "/montreuil/")
    assert client.get(montreuil_url + "resultats/").status_code == 404


# ---------------------------------------------------------------- paper responses


def test_an_agent_enters_a_paper_response_through_the_page(staff_client, agent, consultation, questionnaire, sceaux):
    q = questionnaire
    client = staff_client(agent)
    url = consultation.get_backoffice_url() + "reponses/saisir/"
    page = client.get(url).content.decode()
    assert "Comment cette réponse a-t-elle été recueillie\u00a0?" in page
    assert "Comment venez-vous au parc ?" in page
    data = {"about-channel": "in_person", "about-residence": str(sceaux.pk), "about-answered_on": "2026-03-02",
            q.satisfaction.field_name: "2"}  # the required transport question left empty: allowed on paper
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()
    saved = Response.objects.get()
    assert (saved.channel, saved.residence, saved.entered_by, saved.respondent) == ("in_person", sceaux, agent, None)
    assert saved.submitted_at.date() == date(2026, 3, 2)
    contribution = Contribution.objects.get()
    assert (contribution.kind, contribution.channel, contribution.residence) == \
        ("consultations.response", "in_person", sceaux)
    assert contribution.created_at.date() == date(2026, 3, 2)
    listing = client.get(consultation.get_backoffice_url() + "reponses/").content.decode()
    assert "En personne (réunion, stand)" in listing and "Sceaux" in listing


def test_paper_entry_refuses_a_future_date_and_bad_answers(staff_client, agent, consultation, questionnaire):
    url = consultation.get_backoffice_url() + "reponses/saisir/"
    response = staff_client(agent).post(url, {"about-channel": "paper", "about-answered_on": "2999-01-01",
                                              questionnaire.satisfaction.field_name: "12"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "La date ne peut pas être dans le futur." in html
    assert "Sélectionnez un choix valide" in html
    assert not Response.objects.exists()


def test_paper_entry_is_accepted_after_the_step_closed(staff_client, agent, consultation, questionnaire, step):
    consultation.step_settings = {str(step.pk): {"answers_open": False}}
    consultation.save()
    response = staff_client(agent).post(consultation.get_backoffice_url() + "reponses/saisir/",
                                        {"about-channel": "paper", questionnaire.satisfaction.field_name: "3"})
    assert response.status_code == 302
    assert Response.objects.get().channel == "paper"


def test_a_paper_response_can_be_deleted_a_web_one_cannot(staff_client, agent, resident, consultation, questionnaire):
    web, _ = services.response_submit(component=consultation, answers=answers(questionnaire), respondent=resident)
    paper = services.paper_response_enter(actor=agent, component=consultation, answers=answers(questionnaire))
    client = staff_client(agent)
    base = consultation.get_backoffice_url() + "reponses/"
    assert client.post(base + f"{web.pk}/supprimer/").status_code == 409
    assert client.post(base + f"{paper.pk}/supprimer/").status_code == 302
    assert list(Response.objects.values_list("pk", flat=True)) == [web.pk]
    assert Contribution.objects.count() == 1


def test_choice_questions_are_weighted_to_the_commune_s_population(consultation, dataset):
    from django.utils import timezone

    from concerto.components.consultations.results import weighted_choice_results
    from concerto.core.insights.population import population_import

    population_import(b"insee_code,pop_0_14,pop_15_29,pop_30_44,pop_45_59,pop_60_74,pop_75_plus\n"
                      b"92071,100,200,300,200,100,100\n", source="Test", year=2020)
    year = timezone.localdate().year
    for response, age in zip(Response.objects.filter(respondent__isnull=False).order_by("pk"), (26, 26, 56),
                             strict=True):
        response.respondent.birth_year = year - age
        response.respondent.save()
    weighted = dict(weighted_choice_results(questionnaire_structure(consultation)))
    transport = {row.label: (row.count, round(row.weighted_percent)) for row in weighted[dataset.transport].rows}
    # Under 30: 30 % of Sceaux for two bikers; 30 and over: 70 % for one walker. Paper responses: no year of birth.
    assert transport["À vélo"] == (2, 30) and transport["À pied"] == (1, 70) and transport["En voiture"] == (1, 0)
    activities = {row.label: round(row.weighted_percent) for row in weighted[dataset.activities].rows}
    assert activities == {"Promenade": 30, "Sport": 85, "Pique-nique": 70, "Jeux d'enfants": 0, "Autre": 0}
    assert weighted[dataset.transport].weights.left_out == 2


def test_weighted_results_count_a_new_response_at_once(consultation, questionnaire, dataset, django_user_model):
    """The weighted rows are cached under the results' version: a response sent after a first reading is in
    the next one (no stale figures), and reading again without a change gives the same figures."""
    from django.utils import timezone

    from concerto.components.consultations.results import weighted_choice_results
    from concerto.core.insights.population import population_import

    population_import(b"insee_code,pop_0_14,pop_15_29,pop_30_44,pop_45_59,pop_60_74,pop_75_plus\n"
                      b"92071,100,200,300,200,100,100\n", source="Test", year=2020)
    structure = questionnaire_structure(consultation)

    def walkers():
        rows = dict(weighted_choice_results(structure))[dataset.transport].rows
        return {row.label: row.count for row in rows}["À pied"]

    before = walkers()
    assert walkers() == before
    year = timezone.localdate().year
    newcomer = django_user_model.objects.create_user(email="nouvelle@example.org", password=None,
                                                     birth_year=year - 40)
    services.response_submit(component=consultation, answers=answers(questionnaire), respondent=newcomer)
    assert walkers() == before + 1
