"""The consultations component as the registry and the rest of the platform see it."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import resolve
from django.utils import timezone, translation

from concerto.components.consultations import services
from concerto.components.consultations.models import Response
from concerto.core import registry
from concerto.core.participation.models import Contribution
from concerto.testing import StepFactory

from .conftest import answers

pytestmark = pytest.mark.django_db


def test_the_registry_finds_the_manifest_and_its_urls_resolve(consultation):
    manifest = registry.get("consultations")
    assert manifest.segment == "consultation"
    assert manifest.api_router == "concerto.components.consultations.api.router"
    assert [action.name for action in manifest.actions] == ["respond"]
    assert "consultation" in registry.reserved_slugs()
    assert resolve("/sceaux/parc/consultation/7/").view_name == "consultations:index"
    assert resolve("/sceaux/parc/consultation/7/resultats/").view_name == "consultations:results"
    assert resolve("/gestion/sceaux/parc/consultation/7/").view_name == "consultations_backoffice:index"
    assert consultation.get_absolute_url() == f"/sceaux/parc/consultation/{consultation.pk}/"
    assert consultation.get_backoffice_url() == f"/gestion/sceaux/parc/consultation/{consultation.pk}/"


def test_settings_default_to_accounts_and_staff_only_results(space):
    from concerto.testing import ComponentFactory

    component = ComponentFactory(space=space, kind="consultations")
    assert component.setting("participation") == "account"
    assert component.setting("results_visibility") == "staff"
    assert component.step_setting("answers_open") is True


@pytest.mark.parametrize("raw, field", [
    ({"participation": "tout-le-monde", "results_visibility": "public"}, "participation"),
    ({"participation": "account", "results_visibility": "mairie"}, "results_visibility"),
])
def test_bad_settings_are_refused_in_french(raw, field):
    message = "ne fait pas partie des choix"
    with translation.override("fr"), pytest.raises(ValidationError) as error:
        registry.get("consultations").clean_settings(raw)
    assert message in " ".join(error.value.message_dict[field])


def test_the_step_setting_closes_answers_in_that_step_only(consultation, questionnaire, step, space, resident):
    manifest = registry.get("consultations")
    today = timezone.localdate()
    later = StepFactory(space=space, title="Vote", start_date=today + timedelta(days=6),
                        end_date=today + timedelta(days=20))
    consultation.step_settings = {str(step.pk): manifest.clean_step_settings({"answers_open": ""}),
                                  str(later.pk): manifest.clean_step_settings({"answers_open": "on"})}
    consultation.save()
    window = services.answers_open(consultation)
    assert not window.open and window.opens_on == later.start_date
    with pytest.raises(services.AnswersClosed) as closed:
        services.response_submit(component=consultation, answers=answers(questionnaire), respondent=resident)
    assert window.message in closed.value.message
    assert not Response.objects.exists()


def test_statistics_summary_and_personal_data(consultation, questionnaire, resident):
    manifest = registry.get("consultations")
    services.response_submit(component=consultation, answers=answers(questionnaire), respondent=resident)
    assert manifest.statistics(consultation) == {"responses": 1, "questions": 9}
    with translation.override("fr"):
        summary = manifest.summary(consultation, None)
    assert "1 réponse." in summary and "Ouvert jusqu’au" in summary
    data = manifest.personal_data(resident)["consultation_responses"]
    assert data[0]["consultation"] == "Votre avis" and data[0]["status"] == "submitted"
    assert {"question": "Comment venez-vous au parc ?", "answer": "À pied", "rank": None, "other": ""} \
        in data[0]["answers"]


def test_erasing_a_person_keeps_their_answers_anonymous_and_drops_their_draft(consultation, questionnaire, resident,
                                                                             space, agent):
    from .conftest import build_questionnaire, make_consultation

    services.response_submit(component=consultation, answers=answers(questionnaire), respondent=resident)
    other = make_consultation(space, title="Autre")
    build_questionnaire(other, agent)
    services.response_draft_save(component=other, respondent=resident, data={"q1": "brouillon"})
    registry.get("consultations").erase_personal_data(resident)
    kept = Response.objects.get()
    assert kept.respondent is None and kept.is_submitted and kept.answers.exists()
    assert Contribution.objects.get().author is None
    assert registry.get("consultations").personal_data(resident) == {"consultation_responses": []}
