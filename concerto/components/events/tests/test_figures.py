"""Figures of an events component, on a set small enough to check by hand: attendance by event, format and
channel; in-person versus online contributions to the space; turnout of the audiences the events targeted."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from concerto.components.events import minutes as services
from concerto.components.events.models import Audience, Event, Registration
from concerto.components.events.tests.test_minutes import make_event, make_events, make_space, register
from concerto.components.proposals import services as proposals
from concerto.testing import ComponentFactory, UserFactory

pytestmark = pytest.mark.django_db
ONLINE = Registration.Attendance.ONLINE


@pytest.fixture
def setup(sceaux, agent):
    """E1, in person, for 18–35 year olds: five checked in (ages 26, 28, 66, 30, and a walk-in of 25), one
    no-show, one on the waitlist. E2, hybrid, for seniors and traders: two in the room (40, 70), two online
    (no age given); its minutes say 10 in the room and 3 online. E3 was cancelled: left out."""
    space = make_space(sceaux)
    ideas = ComponentFactory(space=space, kind="proposals", title="Idées")
    component = make_events(space)
    year = timezone.now().year
    e1 = make_event(component, days=-5, title="Atelier jeunes", audiences=[Audience.YOUNG_ADULTS],
                    contributions_component=ideas)
    for age in (26, 28, 66, 30):
        register(e1, checked_in=True, birth_year=year - age)
    register(e1, checked_in=True, walk_in=True, birth_year=year - 25)
    register(e1)
    register(e1, status=Registration.Status.WAITLISTED)
    e2 = make_event(component, days=-3, title="Réunion hybride", format=Event.Format.HYBRID,
                    audiences=[Audience.SENIORS, Audience.TRADERS])
    for age in (40, 70):
        register(e2, checked_in=True, birth_year=year - age)
    register(e2, checked_in=True, attendance=ONLINE)
    register(e2, checked_in=True, attendance=ONLINE)
    minutes = services.minutes_save(actor=agent, event=e2, text="Compte rendu", attendees_in_person=10,
                                    attendees_online=3)
    make_event(component, days=-4, title="Annulée", cancelled_at=timezone.now())
    # The space's ledger: three proposals on the web, one support on the web, one note typed from the room.
    author = UserFactory(email="auteur@example.org")
    made = [proposals.proposal_create(author=author, component=ideas, title=f"Idée {n}", text="Texte")
            for n in range(3)]
    proposals.support_add(user=UserFactory(email="soutien@example.org"), proposal=made[0])
    services.room_contribution_enter(actor=agent, event=e1, values={"title": "Post-it", "text": "Plus de bancs"})
    return {"component": component, "e1": e1, "e2": e2, "minutes": minutes, "space": space}


def _shares(shares):
    return {share.key: (share.count, share.percent) for share in shares}


def test_attendance_by_event_format_and_channel(setup):
    figures = services.figures(setup["component"])
    rows = {row.event.title: row for row in figures.events}
    assert set(rows) == {"Atelier jeunes", "Réunion hybride"}
    e1, e2 = rows["Atelier jeunes"], rows["Réunion hybride"]
    assert (e1.registered, e1.waitlisted, e1.in_person, e1.online, e1.walk_ins) == (5, 1, 5, 0, 1)
    assert (e1.attendees_in_person, e1.attendees_online, e1.room_contributions) == (5, 0, 1)
    assert (e2.registered, e2.in_person, e2.online, e2.walk_ins) == (4, 2, 2, 0)
    assert (e2.attendees_in_person, e2.attendees_online) == (10, 3)  # the minutes' headcount
    assert figures.attendees == 18
    assert _shares(figures.formats) == {"in_person": (15, 83), "online": (3, 17)}
    assert _shares(figures.channels) == {"registered": (8, 89), "walk_in": (1, 11)}
    assert _shares(figures.event_formats) == {"in_person": (5, 28), "online": (0, 0), "hybrid": (13, 72)}


def test_share_of_contributions_in_person_versus_online_in_the_space(setup):
    figures = services.figures(setup["component"])
    assert figures.ledger_total == 5
    assert _shares(figures.ledger_groups) == {"in_person": (1, 20), "paper": (0, 0), "online": (4, 80)}
    assert _shares(figures.ledger)["web"] == (4, 80)


def test_turnout_of_the_targeted_audiences_says_when_too_few_ages_are_known(setup):
    turnout = {t.audience: t for t in services.figures(setup["component"]).audiences}
    young = turnout[Audience.YOUNG_ADULTS]
    assert young.measurable and young.enough
    assert (young.attendees, young.known, young.in_group, young.share) == (5, 5, 4, 80)
    assert (young.known_all, young.in_group_all, young.share_all) == (7, 4, 57)
    seniors = turnout[Audience.SENIORS]
    assert seniors.measurable and not seniors.enough and seniors.share is None
    assert (seniors.attendees, seniors.known) == (4, 2)
    assert (seniors.known_all, seniors.in_group_all, seniors.share_all) == (7, 2, 29)
    assert not turnout[Audience.TRADERS].measurable


def test_the_figures_page_shows_tables_with_captions_and_a_csv(staff_client, agent, setup):
    space, component = setup["space"], setup["component"]
    url = reverse("events_backoffice:figures", args=[space.organisation.slug, space.slug, component.pk])
    staff = staff_client(agent)
    page = staff.get(url).content.decode()
    assert "<caption" in page and "Participation par rencontre" in page
    assert "18 participants à 2 rencontres" in page
    assert "80\u00a0% (4 sur 5 âges connus)" in page
    assert "Trop peu d’âges connus pour conclure (2)." in page
    assert "Impossible à mesurer avec les données recueillies." in page
    assert 'class="ev-bar__fill bar-w-83"' in page
    response = staff.get(url + "?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Tableau"
    by_title = {row[1]: row for row in rows[1:]}
    assert by_title["Atelier jeunes"][4:12] == ["5", "1", "5", "0", "1", "5", "0", "1"]
    assert by_title["Sur place, en réunion ou sur un stand"][9:11] == ["1", "20\u00a0%"]
    assert staff.get(url + "?format=%00").status_code == 200


def test_space_page_statistics(setup, agent):
    stats = services.statistics(setup["component"])
    # E2's minutes are not published: its check-ins count, not the minutes' headcount.
    assert stats == {"events": 2, "upcoming": 0, "attendees": 9, "room_contributions": 1, "space_contributions": 5,
                     "space_contributions_in_person": 1, "space_contributions_online": 4}
    services.minutes_publish(actor=agent, minutes=setup["minutes"])
    assert services.statistics(setup["component"])["attendees"] == 18


def test_figures_of_an_empty_component(staff_client, agent, sceaux):
    component = make_events(make_space(sceaux))
    figures = services.figures(component)
    assert figures.events == [] and figures.attendees == 0 and figures.audiences == []
    assert _shares(figures.formats) == {"in_person": (0, None), "online": (0, None)}
    space = component.space
    url = reverse("events_backoffice:figures", args=[space.organisation.slug, space.slug, component.pk])
    page = staff_client(agent).get(url).content.decode()
    assert "Aucune rencontre pour l’instant." in page
