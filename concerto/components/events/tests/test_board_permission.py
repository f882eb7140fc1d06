"""Who moderates an event's live board: the named permission events.moderate_board (administrators, agents,
moderators), asked by the back-office page."""

import pytest
from django.urls import reverse

from concerto.components.events.tests.test_events import make_event

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who, status", [
    ("agent", 200), ("admin_sceaux", 200), ("moderator", 200), ("elected", 403), ("outsider", 403),
])
def test_only_the_board_s_moderators_open_its_moderation_page(request, staff_client, who, status):
    event = make_event()
    component = event.component
    url = reverse("events_backoffice:board", args=[component.space.organisation.slug, component.space.slug,
                                                   component.pk, event.pk])
    response = staff_client(request.getfixturevalue(who)).get(url)
    assert response.status_code == status
    if status == 200:
        assert event.title in response.content.decode()
