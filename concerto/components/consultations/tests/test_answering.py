"""Residents answer on the web: every kind of question, conditions, drafts, one response per person."""

from datetime import date, timedelta
from unittest import mock

import pytest
from django.db import IntegrityError
from django.utils import timezone, translation
from django.utils.formats import date_format

from concerto.components.consultations import services
from concerto.components.consultations.models import Answer, Response
from concerto.core.audit.models import AuditEntry
from concerto.core.participation.models import Contribution
from concerto.testing import StepFactory, UserFactory

from .conftest import form_data, make_consultation, option

pytestmark = pytest.mark.django_db


def answers_of(response):
    return {(a.question_id, a.option_id, a.rank, a.number, a.date, a.text, a.latitude) for a in response.answers.all()}


def test_the_form_shows_sections_as_fieldsets_with_every_question(client, resident, consultation, questionnaire):
    client.force_login(resident)
    html = client.get(consultation.get_absolute_url()).content.decode()
    assert '<legend><h2>Vos habitudes</h2></legend>' in html
    assert "Comment venez-vous <strong>au parc</strong> ?" in html  # sanitised rich text kept
    for question in vars(questionnaire).values():
        assert question.label.replace("'", "&#x27;") in html
    assert "Envoyer mes réponses" in html
    assert "Enregistrer un brouillon" in html
    assert "1 (Pas du tout)" in html and "5 (Tout à fait)" in html
    assert f'data-show-when-option="{option(questionnaire.transport, "À vélo").pk}"' in html
    assert "Répondez seulement si vous avez choisi «\u00a0À vélo\u00a0»" in html


def test_a_resident_answers_every_kind_and_sees_the_confirmation(client, resident, consultation, questionnaire):
    q = questionnaire
    client.force_login(resident)
    data = form_data(
        q, transport=str(option(q.transport, "À vélo").pk), bike_days="3,5",
        activities=[str(option(q.activities, "Sport").pk), str(option(q.activities, "Autre").pk)],
        q3_other="Observer les oiseaux", visit="14/07/2026", satisfaction="5", name_it="Le jardin des fées",
        ideas="Des fontaines.\nDes bancs.", place_latitude="48.7766", place_longitude="2.2895",
        **{f"q{q.priorities.pk}_{i}": rank for i, rank in enumerate(["2", "1", "3"])},
    )
    data[q.activities.other_field_name] = data.pop("q3_other")
    data[f"{q.place.field_name}_latitude"] = data.pop("place_latitude")
    data[f"{q.place.field_name}_longitude"] = data.pop("place_longitude")
    response = client.post(consultation.get_absolute_url(), data)
    assert response.status_code == 302, response.content.decode()
    assert response.url.endswith("/merci/")

    saved = Response.objects.get()
    assert saved.respondent == resident and saved.is_submitted and saved.channel == "web"
    assert saved.residence == resident.residence
    values = {a.question_id: a for a in saved.answers.all() if a.question_id != q.activities.pk}
    assert values[q.bike_days.pk].number == 3.5
    assert values[q.visit.pk].date == date(2026, 7, 14)
    assert values[q.satisfaction.pk].number == 5
    assert values[q.name_it.pk].text == "Le jardin des fées"
    assert (values[q.place.pk].latitude, values[q.place.pk].longitude) == (48.7766, 2.2895)
    ranking = saved.answers.filter(question=q.priorities).order_by("rank")
    assert [a.option.label for a in ranking] == ["Bancs", "Ombre", "Toilettes"]
    chosen = saved.answers.filter(question=q.activities).order_by("rank")
    assert [(a.option.label, a.text) for a in chosen] == [("Sport", ""), ("Autre", "Observer les oiseaux")]

    page = client.get(response.url).content.decode()
    assert "Vos réponses sont envoyées" in page
    assert "Observer les oiseaux" in page and "Le jardin des fées" in page
    assert "Modifier mes réponses" in page
    assert Contribution.objects.filter(kind="consultations.response", target_id=saved.pk, channel="web",
                                       residence=resident.residence, author=resident).count() == 1
    assert AuditEntry.objects.filter(action="consultations.response_submitted", actor=resident).exists()


def test_a_conditional_question_is_required_only_when_shown(client, resident, consultation, questionnaire):
    q = questionnaire
    client.force_login(resident)
    bike = str(option(q.transport, "À vélo").pk)
    response = client.post(consultation.get_absolute_url(), form_data(q, transport=bike))
    assert response.status_code == 400
    assert "Répondez à cette question." in response.content.decode()
    assert not Response.objects.exists()
    response = client.post(consultation.get_absolute_url(), form_data(q))  # on foot: not asked
    assert response.status_code == 302


def test_the_answer_to_a_hidden_question_is_discarded(client, resident, consultation, questionnaire):
    q = questionnaire
    client.force_login(resident)
    response = client.post(consultation.get_absolute_url(), form_data(q, bike_days="4"))  # walks, yet answers
    assert response.status_code == 302
    assert not Answer.objects.filter(question=q.bike_days).exists()


def test_a_hidden_question_with_junk_does_not_block_the_response(client, resident, consultation, questionnaire):
    client.force_login(resident)
    response = client.post(consultation.get_absolute_url(), form_data(questionnaire, bike_days="beaucoup"))
    assert response.status_code == 302
    assert Response.objects.get().is_submitted


def test_other_specify_asks_for_the_text(client, resident, consultation, questionnaire):
    q = questionnaire
    client.force_login(resident)
    other = str(option(q.transport, "Autre").pk)
    response = client.post(consultation.get_absolute_url(), form_data(q, transport=other))
    assert response.status_code == 400
    assert "Précisez votre réponse «\u00a0Autre\u00a0»." in response.content.decode()
    data = form_data(q, transport=str(option(q.transport, "Autre").pk))
    data[q.transport.other_field_name] = "En trottinette"
    assert client.post(consultation.get_absolute_url(), data).status_code == 302
    assert Answer.objects.get(question=q.transport).text == "En trottinette"


def test_a_second_submission_updates_the_response_and_never_duplicates_it(client, resident, consultation,
                                                                         questionnaire):
    q = questionnaire
    client.force_login(resident)
    client.post(consultation.get_absolute_url(), form_data(q))
    first = Response.objects.get()
    page = client.get(consultation.get_absolute_url()).content.decode()
    assert "Vous avez répondu à ce questionnaire le" in page
    assert "Modifier mes réponses" in page

    edit_page = client.get(consultation.get_absolute_url() + "modifier/").content.decode()
    assert f'value="{option(q.transport, "À pied").pk}" id="id_q{q.transport.pk}_0" checked' in edit_page
    assert "Envoyer mes modifications" in edit_page
    response = client.post(consultation.get_absolute_url() + "modifier/",
                           form_data(q, transport=str(option(q.transport, "En voiture").pk), satisfaction="2"))
    assert response.status_code == 302
    assert Response.objects.count() == 1
    first.refresh_from_db()
    assert first.answers.get(question=q.transport).option.label == "En voiture"
    assert first.answers.get(question=q.satisfaction).number == 2
    assert Contribution.objects.filter(kind="consultations.response").count() == 1
    assert AuditEntry.objects.filter(action="consultations.response_updated").count() == 1


def test_two_racing_submissions_of_one_person_end_as_one_response(resident, consultation, questionnaire):
    """The second request did not see the first one's row: the unique constraint stops the duplicate and
    the service updates the existing response instead."""
    from .conftest import answers

    services.response_submit(component=consultation, answers=answers(questionnaire), respondent=resident)
    real = services._existing_response
    calls = {"n": 0}

    def late(*args, **kwargs):
        calls["n"] += 1
        return None if calls["n"] == 1 else real(*args, **kwargs)

    with mock.patch.object(services, "_existing_response", side_effect=late):
        response, first_time = services.response_submit(
            component=consultation, answers=answers(questionnaire, satisfaction=1), respondent=resident)
    assert not first_time
    assert Response.objects.count() == 1
    assert response.answers.get(question=questionnaire.satisfaction).number == 1


def test_the_database_refuses_a_second_response_of_the_same_person(resident, consultation):
    Response.objects.create(component=consultation, respondent=resident)
    with pytest.raises(IntegrityError):
        Response.objects.create(component=consultation, respondent=resident)


def test_a_server_draft_is_kept_and_not_counted(client, resident, consultation, questionnaire):
    q = questionnaire
    client.force_login(resident)
    data = form_data(q, name_it="Le jardin")
    data["action"] = "draft"
    del data[q.transport.field_name]  # incomplete: a draft may be
    response = client.post(consultation.get_absolute_url(), data)
    assert response.status_code == 302
    draft = Response.objects.get()
    assert draft.status == "draft" and not draft.answers.exists()
    assert not Contribution.objects.exists()
    page = client.get(consultation.get_absolute_url()).content.decode()
    assert "Voici le brouillon que vous avez enregistré" in page
    assert 'value="Le jardin"' in page
    assert "Répondez à cette question." not in page
    results = client.get(consultation.get_absolute_url() + "resultats/").content.decode()
    assert "<strong>0</strong> réponse" in results
    # Sending it turns the draft into the response.
    assert client.post(consultation.get_absolute_url(), form_data(q, name_it="Le jardin")).status_code == 302
    assert Response.objects.get().is_submitted and Response.objects.get().draft_data == {}


def test_anonymous_mode_accepts_one_response_per_browser(client, space, step, agent):
    from .conftest import build_questionnaire

    component = make_consultation(space, participation="anonymous")
    q = build_questionnaire(component, agent)
    page = client.get(component.get_absolute_url()).content.decode()
    assert "une réponse par navigateur" in page
    assert "Enregistrer un brouillon" not in page
    assert client.post(component.get_absolute_url(), form_data(q)).status_code == 302
    assert client.post(component.get_absolute_url() + "modifier/", form_data(q, satisfaction="1")).status_code == 302
    assert Response.objects.count() == 1
    response = Response.objects.get()
    assert response.respondent is None and response.anonymous_key
    assert response.answers.get(question=q.satisfaction).number == 1
    # Another browser is another response (said honestly: it is not one per person).
    other = client.__class__()
    assert other.post(component.get_absolute_url(), form_data(q)).status_code == 302
    assert Response.objects.count() == 2


def test_anonymous_respondents_may_give_their_commune(client, space, step, agent, montreuil):
    from .conftest import build_questionnaire

    component = make_consultation(space, participation="anonymous")
    q = build_questionnaire(component, agent)
    data = form_data(q)
    data["about-residence"] = str(montreuil.pk)
    assert client.post(component.get_absolute_url(), data).status_code == 302
    assert Response.objects.get().residence == montreuil
    assert Contribution.objects.get().residence == montreuil


def test_account_mode_asks_to_sign_in_and_refuses_anonymous_posts(client, consultation, questionnaire):
    page = client.get(consultation.get_absolute_url())
    assert "Se connecter pour répondre" in page.content.decode()
    assert "<form method=\"post\" action=\"/sceaux" not in page.content.decode()
    response = client.post(consultation.get_absolute_url(), form_data(questionnaire))
    assert response.status_code == 403
    assert not Response.objects.exists()


def test_a_closed_step_shows_when_it_closed_and_refuses_answers(client, resident, space, agent):
    today = timezone.localdate()
    past = StepFactory(space=space, start_date=today - timedelta(days=30), end_date=today - timedelta(days=3))
    StepFactory(space=space, title="Analyse", start_date=today - timedelta(days=2), end_date=today + timedelta(days=9))
    component = make_consultation(space)
    from .conftest import build_questionnaire

    q = build_questionnaire(component, agent)
    component.step_settings = {str(step.pk): {"answers_open": step.pk == past.pk} for step in space.steps.all()}
    component.save()
    client.force_login(resident)
    page = client.get(component.get_absolute_url()).content.decode()
    with translation.override("fr"):
        window = component.window("answers_open")
    assert window.closed_on == today - timedelta(days=3)
    assert "Les réponses sont closes." in page and window.message in page
    assert date_format(window.closed_on, "j F Y") in window.message
    assert "Envoyer mes réponses" not in page
    response = client.post(component.get_absolute_url(), form_data(q))
    assert response.status_code == 403
    assert window.message in response.content.decode()
    assert not Response.objects.exists()


def test_a_closed_step_keeps_the_previous_response_untouched(client, resident, consultation, questionnaire, step):
    from .conftest import answers

    services.response_submit(component=consultation, answers=answers(questionnaire), respondent=resident)
    consultation.step_settings = {str(step.pk): {"answers_open": False}}
    consultation.save()
    client.force_login(resident)
    before = answers_of(Response.objects.get())
    response = client.post(consultation.get_absolute_url() + "modifier/", form_data(questionnaire, satisfaction="1"))
    assert response.status_code == 403
    assert answers_of(Response.objects.get()) == before
    page = client.get(consultation.get_absolute_url()).content.decode()
    assert "Vos réponses" in page and "Les réponses sont closes." in page


def test_an_unpublished_questionnaire_is_a_404_for_residents_and_refuses_answers(client, resident, space, step, agent,
                                                                               staff_client):
    component = make_consultation(space, published=False)
    from .conftest import build_questionnaire

    q = build_questionnaire(component, agent)
    client.force_login(resident)
    assert client.get(component.get_absolute_url()).status_code == 404
    manager = staff_client(agent)
    page = manager.get(component.get_absolute_url()).content.decode()
    assert "Les réponses ne sont pas acceptées avant" in page
    assert manager.post(component.get_absolute_url(), form_data(q)).status_code == 403
    assert not Response.objects.exists()


def test_another_resident_has_their_own_response(client, resident, consultation, questionnaire):
    client.force_login(resident)
    client.post(consultation.get_absolute_url(), form_data(questionnaire))
    neighbour = UserFactory(email="voisin@example.org")
    client.force_login(neighbour)
    page = client.get(consultation.get_absolute_url()).content.decode()
    assert "Envoyer mes réponses" in page
    client.post(consultation.get_absolute_url(), form_data(questionnaire))
    assert Response.objects.filter(status="submitted").count() == 2


def test_past_the_send_limit_answers_get_the_429_page_and_are_not_saved(client, rate_limits, resident,
                                                                       consultation, questionnaire):
    rate_limits.CONCERTO_RATE_LIMITS = {"response": (0, 3600)}
    client.force_login(resident)
    response = client.post(consultation.get_absolute_url(), form_data(questionnaire))
    assert response.status_code == 429 and "Vous avez beaucoup envoyé" in response.content.decode()
    assert not Response.objects.filter(status=Response.Status.SUBMITTED).exists()


def test_a_point_answer_reads_as_a_place_never_coordinates(client, resident, consultation, questionnaire, geocoder,
                                                           django_capture_on_commit_callbacks):
    q = questionnaire
    client.force_login(resident)
    data = form_data(q, name_it="Le jardin des fées")
    data[f"{q.place.field_name}_latitude"], data[f"{q.place.field_name}_longitude"] = "48.7780", "2.2902"
    response = client.post(consultation.get_absolute_url(), data)
    assert response.status_code == 302, response.content.decode()

    with django_capture_on_commit_callbacks() as callbacks:
        first = client.get(response.url).content.decode()
    # Not looked up yet: the commune (or "a place on the map"), and the page did not wait for the service.
    assert "Le jardin des fées" in first and "48.778" not in first and "latitude" not in first
    assert not [path for path in geocoder.requests if "/reverse" in path]
    for callback in callbacks:
        callback()  # the worker's lookup
    assert "12 Rue Houdan 92330 Sceaux" in client.get(response.url).content.decode()
