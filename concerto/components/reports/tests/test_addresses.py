"""Reports and addresses: a report placed by its address alone, the address found for a point, and a geocoder
that fails (the report is saved with its point, and the worker fills the address later)."""

import pytest

from concerto.components.reports.models import Report
from concerto.components.reports.tests.test_reporting import form_url, post_data

pytestmark = pytest.mark.django_db


def test_a_report_is_placed_by_its_address_alone(client, component, lighting, geocoder):
    data = post_data(lighting, point=(None, None), location_address="12 rue Houdan Sceaux")

    response = client.post(form_url(component), data)

    report = Report.objects.get()
    assert response.status_code == 302
    assert (report.latitude, report.longitude) == (48.77803, 2.29019)
    assert report.address == "12 Rue Houdan 92330 Sceaux"
    assert "12 Rue Houdan 92330 Sceaux" in client.get(report.get_absolute_url()).content.decode()


def test_a_report_placed_on_the_map_gets_the_address_at_its_point(client, component, lighting, geocoder):
    client.post(form_url(component), post_data(lighting, point=("48.77800", "2.29020")))

    assert Report.objects.get().address == "12 Rue Houdan 92330 Sceaux"


def test_an_address_outside_the_metropole_is_refused_and_nothing_typed_is_lost(client, component, lighting,
                                                                               geocoder):
    data = post_data(lighting, point=(None, None), location_address="place d'Armes Versailles")

    response = client.post(form_url(component), data, HTTP_ACCEPT_LANGUAGE="fr")

    page = response.content.decode()
    assert response.status_code == 400 and not Report.objects.exists()
    assert "Cette adresse est hors de la Métropole du Grand Paris" in page
    assert 'value="place d&#x27;Armes Versailles"' in page
    assert "Le lampadaire est éteint depuis une semaine." in page


def test_with_the_geocoder_down_the_report_is_saved_and_the_worker_adds_the_address(
        client, component, lighting, geocoder, django_capture_on_commit_callbacks):
    geocoder.mode = "down"
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(form_url(component), post_data(lighting, point=("48.77800", "2.29020")))
    report = Report.objects.get()
    assert response.status_code == 302 and report.address == ""

    geocoder.mode = "ok"
    for callback in callbacks:
        callback()  # the immediate task backend runs the worker's task here

    report.refresh_from_db()
    assert report.address == "12 Rue Houdan 92330 Sceaux"
