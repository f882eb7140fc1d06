"""The demo: Sceaux has three questions to its officials (answered on time, answered late, waiting) and the public
profile of its demo elected official, with the events she hosts; the API lists them."""

import pytest
from django.core.management import call_command

from concerto.components.questions.models import OfficialProfile, Question

pytestmark = pytest.mark.django_db


def test_the_demo_has_three_questions_and_a_public_profile(client):
    call_command("load_demo", verbosity=0)
    questions = Question.objects.public().filter(component__space__organisation__slug="sceaux")
    on_time = [q for q in questions if q.is_answered and not q.is_late]
    late = [q for q in questions if q.is_answered and q.is_late]
    waiting = [q for q in questions if not q.is_answered and q.due_at]
    assert (len(on_time), len(late), len(waiting)) == (1, 1, 1)
    assert on_time[0].answer_event_url  # the answer invites to an event
    profile = OfficialProfile.objects.get(organisation__slug="sceaux", user__email="elu@sceaux.demo")
    page = client.get(profile.get_absolute_url()).content.decode()
    assert "Claire Dubois" in page and "Réunion de restitution" in page and "Mobilités" in page
    assert "Réponse en retard" in client.get(late[0].get_absolute_url()).content.decode()
    body = client.get("/api/v1/questions/questions?organisation=sceaux").json()
    assert body["count"] == 3
    call_command("load_demo", verbosity=0)  # a second run changes nothing
    assert Question.objects.count() == 3
