"""Registering and posting on the live board reserved to verified residents: the services refuse the others
with a message saying where to verify, the pages show that message instead of the form, and what agents do
at the door for someone else (walk-ins) is not concerned."""

import pytest
from django.urls import reverse

from concerto.components.events import room, services
from concerto.components.events.models import BoardPost, Registration
from concerto.components.events.tests.test_events import make_event
from concerto.components.events.tests.test_room import make_event as make_room_event
from concerto.components.events.tests.test_room import url
from concerto.core.accounts.verification import VerificationRequired
from concerto.testing import commune, verified_resident

pytestmark = pytest.mark.django_db

REFUSED = "Seuls les habitants vérifiés de Sceaux peuvent le faire."


def _reserve(event, *actions):
    event.component.verified_actions = list(actions)
    event.component.save()


def _page(name, event):
    return url(f"events:{name}", event)


# Registering ------------------------------------------------------------------------------------------

def test_registering_stays_open_to_every_resident_by_default(client, resident):
    event = make_event()
    assert services.registration_create(user=resident, event=event).status == "confirmed"
    other = make_event()
    client.force_login(resident)
    page = client.get(other.get_absolute_url()).content.decode()
    assert "Vérifier ma résidence" not in page and _page("register", other) in page


def test_an_unverified_resident_cannot_register_and_is_told_where_to_verify(resident):
    event = make_event()
    _reserve(event, "register")
    with pytest.raises(VerificationRequired) as refused:
        services.registration_create(user=resident, event=event)
    assert REFUSED in refused.value.message
    assert refused.value.url.startswith(reverse("accounts:verification_start", args=["sceaux"]))
    assert not Registration.objects.exists()


def test_a_verified_resident_of_the_commune_registers(resident):
    event = make_event()
    _reserve(event, "register")
    verified_resident(resident)
    assert services.registration_create(user=resident, event=event).status == "confirmed"


def test_a_verification_in_another_commune_does_not_count_for_registering(resident):
    event = make_event()
    _reserve(event, "register")
    verified_resident(resident, commune("montreuil"))
    with pytest.raises(VerificationRequired):
        services.registration_create(user=resident, event=event)
    assert not Registration.objects.exists()


def test_the_event_page_shows_where_to_verify_instead_of_the_register_button(client, resident):
    event = make_event()
    _reserve(event, "register")
    client.force_login(resident)
    page = client.get(event.get_absolute_url()).content.decode()
    assert REFUSED in page and "Vérifier ma résidence" in page
    assert _page("register", event) not in page
    client.logout()
    page = client.get(event.get_absolute_url()).content.decode()
    assert "Connectez-vous, puis vérifiez votre résidence" in page and "Se connecter" in page


def test_the_registration_form_is_replaced_and_a_post_anyway_saves_nothing(client, resident):
    event = make_event()
    _reserve(event, "register")
    client.force_login(resident)
    page = client.get(_page("register", event)).content.decode()
    assert REFUSED in page and "Confirmer mon inscription" not in page
    # A form sent anyway (an old tab) is refused with the same words.
    response = client.post(_page("register", event), {})
    assert response.status_code == 403 and REFUSED in response.content.decode()
    assert not Registration.objects.exists()
    verified_resident(resident)
    assert client.post(_page("register", event), {}).status_code == 302
    assert Registration.objects.get().user == resident


def test_an_agent_still_adds_a_walk_in_at_the_door(staff_client, agent):
    event = make_room_event(board_open=True)
    _reserve(event, "register", "board_post")
    response = staff_client(agent).post(url("events_backoffice:walk_in", event),
                                        {"name": "Lou", "attendance": "in_person"})
    assert response.status_code == 302
    assert event.registrations.filter(walk_in=True, name="Lou").count() == 1


# The live board -----------------------------------------------------------------------------------------

def test_posting_on_the_board_stays_open_by_default_even_without_an_account():
    event = make_room_event(board_open=True, anonymous_board=True)
    assert room.board_post_create(event=event, text="Plus d'arbres", author_key="session:a").pk


def test_an_unverified_resident_cannot_post_on_the_board(resident):
    event = make_room_event(board_open=True)
    _reserve(event, "board_post")
    with pytest.raises(VerificationRequired) as refused:
        room.board_post_create(event=event, text="Où sera le banc ?", user=resident,
                               author_key=f"user:{resident.pk}")
    assert REFUSED in refused.value.message
    assert not BoardPost.objects.exists()


def test_anonymous_posts_are_refused_when_posting_is_reserved_whatever_the_setting(client):
    event = make_room_event(board_open=True, anonymous_board=True)
    _reserve(event, "board_post")
    with pytest.raises(VerificationRequired) as refused:
        room.board_post_create(event=event, text="Plus d'arbres", author_key="session:a")
    assert not refused.value.signed_in
    page = client.get(_page("board", event)).content.decode()
    assert "Connectez-vous, puis vérifiez votre résidence" in page and "Envoyer sur le mur" not in page
    response = client.post(_page("board", event), {"kind": "opinion", "text": "Plus d'arbres"})
    assert response.status_code == 403
    assert not BoardPost.objects.exists()


def test_a_verified_resident_posts_on_the_board_and_another_commune_does_not_count(resident, outsider):
    event = make_room_event(board_open=True)
    _reserve(event, "board_post")
    verified_resident(outsider, commune("montreuil"))
    with pytest.raises(VerificationRequired):
        room.board_post_create(event=event, text="Et nous ?", user=outsider, author_key=f"user:{outsider.pk}")
    verified_resident(resident)
    post = room.board_post_create(event=event, text="Où sera le banc ?", user=resident,
                                  author_key=f"user:{resident.pk}")
    assert list(BoardPost.objects.all()) == [post]


def test_the_board_page_shows_where_to_verify_instead_of_the_form_and_keeps_the_board(client, resident):
    event = make_room_event(board_open=True)
    room.board_post_create(event=event, text="Quand commencent les travaux ?", author_key="session:b")
    _reserve(event, "board_post")
    client.force_login(resident)
    page = client.get(_page("board", event)).content.decode()
    assert REFUSED in page and "Vérifier ma résidence" in page
    assert "Envoyer sur le mur" not in page and "Quand commencent les travaux ?" in page
    # A message sent anyway (an old tab) is refused with the same words, and nothing is saved.
    response = client.post(_page("board", event), {"kind": "question", "text": "Encore une ?"})
    assert response.status_code == 403 and REFUSED in response.content.decode()
    assert BoardPost.objects.count() == 1


def test_a_closed_board_says_it_is_closed_rather_than_asking_to_verify(client, resident):
    event = make_room_event(board_open=False)
    _reserve(event, "board_post")
    client.force_login(resident)
    page = client.get(_page("board", event)).content.decode()
    assert "Le mur en direct est fermé." in page and "Vérifier ma résidence" not in page
