"""The events demo loads in a second, through the minutes services, and twice changes nothing."""

import time

import pytest

from concerto.components.events.demo import demo_load
from concerto.components.events.models import BoardPost, Event, Minutes, Registration, RoomContribution
from concerto.core.participation.models import Contribution
from concerto.testing import ComponentFactory, SpaceFactory, StepFactory

pytestmark = pytest.mark.django_db


def test_the_demo_adds_past_upcoming_and_live_events_and_loads_twice(client, sceaux, agent):
    space = SpaceFactory(organisation=sceaux, slug="budget-demo")
    StepFactory(space=space)
    ideas = ComponentFactory(space=space, kind="proposals", title="Vos idées")
    started = time.monotonic()
    live = demo_load(actor=agent, space=space)
    assert time.monotonic() - started < 3
    component = space.components.get(kind="events")
    assert component.published
    events = Event.objects.filter(component=component)
    assert events.count() == 8 and set(events.values_list("commune", flat=True)) <= {sceaux.pk, None}
    # « Balade urbaine commentée, ouvert à tous » read wrong: the description no longer agrees with the title.
    assert all(event.description == f"{event.title}\u00a0: venez avec vos questions et vos idées." for event in events)
    assert Minutes.objects.filter(event__component=component, published_at__isnull=False).count() == 4
    assert Registration.objects.filter(event__component=component, status="waitlisted").count() == 3
    assert live.format == "hybrid" and live.live_board_open and BoardPost.objects.filter(event=live).count() == 3
    notes = RoomContribution.objects.filter(event__component=component)
    assert notes.count() == 6
    assert Contribution.objects.filter(component=ideas, channel="in_person").count() == 6
    assert demo_load(actor=agent, space=space) is None
    assert Event.objects.filter(component=component).count() == 8
    assert space.components.filter(kind="events").count() == 1
    first_past = events.filter(minutes__published_at__isnull=False).first()
    page = client.get(first_past.get_absolute_url() + "compte-rendu/")
    assert page.status_code == 200 and "Ce qui a été dit" in page.content.decode()


def test_with_a_questionnaire_the_workshop_answers_count_in_person(sceaux, agent):
    from concerto.components.consultations.demo import demo_load as consultation_demo_load
    from concerto.components.consultations.models import Response

    space = SpaceFactory(organisation=sceaux, slug="plu-demo")
    StepFactory(space=space)
    consultation_demo_load(actor=agent, space=space)
    survey = space.components.get(kind="consultations")
    before = Response.objects.filter(component=survey, channel="in_person").count()
    demo_load(actor=agent, space=space)
    assert Response.objects.filter(component=survey, channel="in_person").count() == before + 8
    assert RoomContribution.objects.filter(event__component__space=space).count() == 8
