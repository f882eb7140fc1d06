"""Answering a consultation can be reserved to verified residents: the service refuses the others (anonymous
people included) and the page says why and where to verify instead of showing the form. Answers the team
enters from paper or meetings are not concerned."""

import pytest
from django.urls import reverse

from concerto.components.consultations import services
from concerto.components.consultations.models import Response
from concerto.core.accounts.verification import VerificationRequired
from concerto.core.participation.models import Contribution
from concerto.testing import commune, verified_resident

from .conftest import answers, form_data, make_consultation

pytestmark = pytest.mark.django_db

VERIFY_FIRST = "Seuls les habitants vérifiés de Sceaux peuvent le faire. Vérifiez d&#x27;abord votre résidence"
SIGN_IN_FIRST = "Connectez-vous, puis vérifiez votre résidence"


def _reserve(component):
    component.verified_actions = ["respond"]
    component.save()


def _verify_url():
    return reverse("accounts:verification_start", args=["sceaux"])


def test_an_agent_reserves_answering_to_verified_residents_from_the_settings_page(staff_client, agent,
                                                                                   consultation):
    url = reverse("backoffice:component", args=["sceaux", consultation.space.slug, consultation.pk])
    client = staff_client(agent)
    page = client.get(url).content.decode()
    assert "Répondre au questionnaire" in page
    response = client.post(url, {"title": consultation.title, "participation": "account",
                                 "results_visibility": "public", "verified_actions": ["respond"]})
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.requires_verification("respond")


def test_answering_stays_open_to_everyone_by_default(client, resident, consultation, questionnaire):
    response, first_time = services.response_submit(component=consultation, answers=answers(questionnaire),
                                                     respondent=resident)
    assert first_time and response.is_submitted
    anonymous = make_consultation(consultation.space, participation="anonymous", title="Sans compte")
    assert services.response_submit(component=anonymous, answers={}, anonymous_key="browser-1")[1]
    client.force_login(resident)
    page = client.get(anonymous.get_absolute_url()).content.decode()
    assert "Seuls les habitants vérifiés" not in page


def test_an_unverified_resident_is_refused_by_the_service_and_nothing_is_saved(resident, consultation,
                                                                               questionnaire):
    _reserve(consultation)
    with pytest.raises(VerificationRequired) as refused:
        services.response_submit(component=consultation, answers=answers(questionnaire), respondent=resident)
    assert "Seuls les habitants vérifiés de Sceaux" in refused.value.message
    assert refused.value.url.startswith(_verify_url())
    with pytest.raises(VerificationRequired):
        services.response_draft_save(component=consultation, respondent=resident,
                                     data={questionnaire.satisfaction.field_name: "4"})
    assert not Response.objects.exists()
    assert not Contribution.objects.exists()


def test_an_anonymous_answer_is_refused_when_answering_is_reserved(space, step, agent):
    from .conftest import build_questionnaire

    consultation = make_consultation(space, participation="anonymous")
    q = build_questionnaire(consultation, agent)
    _reserve(consultation)
    with pytest.raises(VerificationRequired) as refused:
        services.response_submit(component=consultation, answers=answers(q), anonymous_key="browser-1")
    assert "Connectez-vous, puis vérifiez votre résidence" in refused.value.message
    assert not refused.value.signed_in
    assert not Response.objects.exists()


def test_the_page_shows_why_and_where_to_verify_instead_of_the_form(client, resident, consultation, questionnaire):
    _reserve(consultation)
    client.force_login(resident)
    page = client.get(consultation.get_absolute_url()).content.decode()
    assert VERIFY_FIRST in page
    assert "Vérifier ma résidence" in page and f'href="{_verify_url()}' in page
    assert "Envoyer mes réponses" not in page and "Enregistrer un brouillon" not in page
    assert consultation.title in page  # the rest of the page stays


def test_a_form_sent_anyway_is_refused_with_the_message_and_nothing_is_saved(client, resident, consultation,
                                                                             questionnaire):
    _reserve(consultation)
    client.force_login(resident)
    for action in ("send", "draft"):
        response = client.post(consultation.get_absolute_url(), form_data(questionnaire, action=action))
        assert response.status_code == 403
        html = response.content.decode()
        assert VERIFY_FIRST in html and "Vérifier ma résidence" in html
    assert not Response.objects.exists()


def test_an_anonymous_visitor_is_told_to_sign_in_then_verify(client, space, step, agent):
    from .conftest import build_questionnaire

    consultation = make_consultation(space, participation="anonymous")
    q = build_questionnaire(consultation, agent)
    _reserve(consultation)
    page = client.get(consultation.get_absolute_url()).content.decode()
    assert SIGN_IN_FIRST in page and "Se connecter" in page
    assert "Envoyer mes réponses" not in page
    response = client.post(consultation.get_absolute_url(), form_data(q))
    assert response.status_code == 403 and SIGN_IN_FIRST in response.content.decode()
    assert not Response.objects.exists()


def test_a_verified_resident_answers_on_the_page(client, resident, consultation, questionnaire):
    _reserve(consultation)
    verified_resident(resident)
    client.force_login(resident)
    page = client.get(consultation.get_absolute_url()).content.decode()
    assert "Envoyer mes réponses" in page and "Seuls les habitants vérifiés" not in page
    response = client.post(consultation.get_absolute_url(), form_data(questionnaire))
    assert response.status_code == 302
    assert Response.objects.get().respondent == resident


def test_a_resident_verified_in_another_commune_cannot_answer(client, resident, consultation, questionnaire):
    _reserve(consultation)
    verified_resident(resident, commune("montreuil"))
    with pytest.raises(VerificationRequired):
        services.response_submit(component=consultation, answers=answers(questionnaire), respondent=resident)
    client.force_login(resident)
    page = client.get(consultation.get_absolute_url()).content.decode()
    assert VERIFY_FIRST in page and "Envoyer mes réponses" not in page
    assert not Response.objects.exists()


def test_an_earlier_answer_is_shown_but_can_no_longer_be_changed(client, resident, consultation, questionnaire):
    services.response_submit(component=consultation, answers=answers(questionnaire), respondent=resident)
    _reserve(consultation)
    client.force_login(resident)
    page = client.get(consultation.get_absolute_url()).content.decode()
    assert "Vos réponses" in page and VERIFY_FIRST in page
    assert "Modifier mes réponses" not in page
    edit = client.get(reverse("consultations:edit", args=["sceaux", consultation.space.slug, consultation.pk]))
    assert VERIFY_FIRST in edit.content.decode() and "Envoyer mes modifications" not in edit.content.decode()


def test_the_team_still_enters_paper_answers_when_answering_is_reserved(staff_client, agent, consultation,
                                                                        questionnaire):
    _reserve(consultation)
    paper = services.paper_response_enter(actor=agent, component=consultation, answers=answers(questionnaire))
    assert paper.is_submitted
    response = staff_client(agent).post(consultation.get_backoffice_url() + "reponses/saisir/",
                                        {"about-channel": "paper", questionnaire.satisfaction.field_name: "3"})
    assert response.status_code == 302
    assert Response.objects.filter(channel="paper").count() == 2


def test_the_api_still_describes_a_reserved_questionnaire(client, consultation, questionnaire):
    _reserve(consultation)
    response = client.get(f"/api/v1/consultations/questionnaires/{consultation.pk}")
    assert response.status_code == 200
    assert response.json()["id"] == consultation.pk
