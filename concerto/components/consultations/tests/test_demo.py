"""The demo questionnaire loads through the services and its results page shows it."""

import pytest

from concerto.components.consultations.demo import demo_load
from concerto.components.consultations.models import Question, Response
from concerto.core.participation.models import Contribution

pytestmark = pytest.mark.django_db


def test_the_demo_adds_a_public_questionnaire_with_150_responses_some_on_paper(client, space, step, agent):
    demo_load(actor=agent, space=space)
    component = space.components.get(kind="consultations")
    assert component.published
    assert Question.objects.filter(component=component).count() == 9
    responses = Response.objects.filter(component=component, status="submitted")
    assert responses.count() == 150
    assert responses.filter(channel__in=["paper", "in_person"]).count() == 40
    assert Contribution.objects.filter(component=component, kind="consultations.response").count() == 150
    page = client.get(component.get_absolute_url() + "resultats/")
    assert page.status_code == 200
    assert "150" in page.content.decode()
