"""Events and addresses: the form's « Adresse » is the point widget's autocomplete, an address chosen places the
event, an event placed by a point alone gets the address at it (now, or in the worker when the service fails),
and an address nobody can locate is kept as typed."""

import pytest

from concerto.components.events.models import Event
from concerto.components.events.tests.test_events import bo_url, event_post, make_component

pytestmark = pytest.mark.django_db


def test_the_event_form_has_one_address_input_with_the_autocomplete(staff_client, agent, geocoder):
    page = staff_client(agent).get(bo_url("create", make_component())).content.decode()

    assert page.count('name="address"') == 1
    assert 'data-point-address' in page and 'id="id_address_options" role="listbox"' in page
    assert 'data-search-url="/adresses/recherche/"' in page


def test_an_address_typed_alone_places_the_event(staff_client, agent, geocoder):
    component = make_component()
    staff_client(agent).post(bo_url("create", component), event_post(address="12 rue Houdan Sceaux"))

    event = Event.objects.get()
    assert (event.latitude, event.longitude, event.address) == (48.77803, 2.29019, "12 Rue Houdan 92330 Sceaux")


def test_an_address_the_service_does_not_know_is_kept_without_a_point(staff_client, agent, geocoder):
    component = make_component()
    response = staff_client(agent).post(bo_url("create", component), event_post(address="Parc de la Mairie"))

    event = Event.objects.get()
    assert response.status_code == 302
    assert (event.latitude, event.address) == (None, "Parc de la Mairie")


def test_an_event_placed_by_a_point_gets_its_address_shown_on_its_page(staff_client, agent, geocoder, client):
    component = make_component()
    staff_client(agent).post(bo_url("create", component), event_post(
        address="", location_latitude="48.77800", location_longitude="2.29020"))
    event = Event.objects.get()
    assert event.address == "12 Rue Houdan 92330 Sceaux"

    from concerto.components.events import services
    services.event_publish(actor=None, event=event)
    page = client.get(event.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Maison des associations, 12 Rue Houdan 92330 Sceaux" in page
    assert "48.778" not in page


def test_with_the_service_down_the_worker_fills_the_event_address(staff_client, agent, geocoder,
                                                                  django_capture_on_commit_callbacks):
    component = make_component()
    geocoder.mode = "down"
    with django_capture_on_commit_callbacks() as callbacks:
        response = staff_client(agent).post(bo_url("create", component), event_post(
            address="", location_latitude="48.77800", location_longitude="2.29020"))
    event = Event.objects.get()
    assert response.status_code == 302 and event.address == "" and event.latitude == 48.778

    geocoder.mode = "ok"
    for callback in callbacks:
        callback()
    event.refresh_from_db()
    assert event.address == "12 Rue Houdan 92330 Sceaux"


def test_a_typed_address_is_never_replaced_by_the_one_at_the_point(staff_client, agent, geocoder):
    component = make_component()
    staff_client(agent).post(bo_url("create", component), event_post(
        address="Salle Jean-Jaurès, 3 rue Houdan", location_latitude="48.77800", location_longitude="2.29020"))

    assert Event.objects.get().address == "Salle Jean-Jaurès, 3 rue Houdan"
