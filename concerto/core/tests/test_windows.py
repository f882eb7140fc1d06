"""A component's step setting opens an action for some steps; closed, it says when it opens or closed."""

import datetime

import pytest
from django.utils import translation

from concerto.testing import ComponentFactory, SpaceFactory, StepFactory

TODAY = datetime.date(2026, 6, 15)


@pytest.fixture
def space(db):
    return SpaceFactory()


def _news(space, steps_open):
    component = ComponentFactory(space=space, kind="news")
    component.step_settings = {str(step.pk): {"comments_open": is_open} for step, is_open in steps_open}
    component.save()
    return component


def test_open_during_a_step_that_opens_it(space):
    step = StepFactory(space=space, start_date=datetime.date(2026, 6, 1), end_date=datetime.date(2026, 6, 30))
    window = _news(space, [(step, True)]).window("comments_open", today=TODAY)
    assert window.open and window.step == step and window.closes_on == datetime.date(2026, 6, 30)
    assert window.message == ""


def test_closed_after_the_step_says_when_it_closed(space):
    past = StepFactory(space=space, start_date=datetime.date(2026, 5, 1), end_date=datetime.date(2026, 5, 31))
    now = StepFactory(space=space, start_date=datetime.date(2026, 6, 1), end_date=datetime.date(2026, 6, 30))
    window = _news(space, [(past, True), (now, False)]).window("comments_open", today=TODAY)
    assert not window.open
    assert window.closed_on == datetime.date(2026, 5, 31)
    with translation.override("fr"):
        assert window.message == "Terminé le 31 mai 2026."


def test_closed_before_the_step_says_when_it_opens(space):
    now = StepFactory(space=space, start_date=datetime.date(2026, 6, 1), end_date=datetime.date(2026, 6, 30))
    later = StepFactory(space=space, start_date=datetime.date(2026, 9, 1), end_date=datetime.date(2026, 9, 30))
    window = _news(space, [(now, False), (later, True)]).window("comments_open", today=TODAY)
    assert not window.open and window.opens_on == datetime.date(2026, 9, 1)
    with translation.override("fr"):
        assert window.message == "Ouvre le 1 septembre 2026."


def test_between_steps_nothing_is_open(space):
    StepFactory(space=space, start_date=datetime.date(2026, 7, 1), end_date=datetime.date(2026, 7, 31))
    component = ComponentFactory(space=space, kind="news")
    window = component.window("comments_open", today=TODAY)  # the default (open) applies to July only
    assert not window.open and window.opens_on == datetime.date(2026, 7, 1)


def test_a_space_without_steps_follows_the_setting_default(space):
    component = ComponentFactory(space=space, kind="news")
    window = component.window("comments_open", today=TODAY)
    assert window.open and window.step is None and window.closes_on is None
