"""Reporting and "me too" reserved to verified residents: the services refuse the others (web form, Open311 and
whatever comes next), the pages show why and where to verify instead of the form, and Open311 clients are
refused with the specification's error list, since a request they post cannot come from a verified resident."""

import secrets

import pytest
from django.urls import reverse

from concerto.components.reports import services, workflow
from concerto.components.reports.models import Category, Report, ReportSupport
from concerto.components.reports.tests.conftest import SCEAUX_POINT
from concerto.core.accounts.verification import VerificationRequired
from concerto.testing import ComponentFactory, SpaceFactory, commune, verified_resident

REFUSED = "Seuls les habitants vérifiés de Sceaux peuvent le faire"


@pytest.fixture
def component(places):
    space = SpaceFactory(organisation=places[0], slug="ma-ville", title="Ma ville")
    return ComponentFactory(space=space, kind="reports", title="Signaler un problème")


@pytest.fixture
def lighting(sceaux):
    return Category.objects.create(organisation=sceaux, code="eclairage", name="Éclairage public")


def _reserve(component, *actions):
    component.verified_actions = list(actions)
    component.save()


def form_url(component):
    return reverse("reports:create", args=["sceaux", component.space.slug, component.pk])


def map_url(component):
    return reverse("reports:index", args=["sceaux", component.space.slug, component.pk])


def form_data(category, **extra):
    return {"kind": "malfunction", "category": str(category.pk), "location_latitude": str(SCEAUX_POINT[0]),
            "location_longitude": str(SCEAUX_POINT[1]), "description": "Le lampadaire est éteint.",
            "email": "habitant@example.org", **extra}


def create(category, component=None, author=None, email=""):
    return services.report_create(author=author, component=component, category=category, kind="malfunction",
                                  latitude=SCEAUX_POINT[0], longitude=SCEAUX_POINT[1],
                                  description="Le lampadaire est éteint.", email=email)


def make_report(category, component=None):
    return Report.objects.create(organisation=category.organisation, category=category, component=component,
                                 latitude=SCEAUX_POINT[0], longitude=SCEAUX_POINT[1], description="Lampadaire éteint",
                                 email="premier@example.org", token=secrets.token_urlsafe(16))


# Sending a report -------------------------------------------------------------------------------------

def test_reporting_stays_open_to_everyone_by_default(client, component, lighting, resident):
    response = client.post(form_url(component), form_data(lighting))
    assert response.status_code == 302
    assert create(lighting, component, author=resident).author == resident
    assert Report.objects.count() == 2


def test_an_unverified_resident_cannot_report_and_nothing_is_saved(component, lighting, resident):
    _reserve(component, "report")
    with pytest.raises(VerificationRequired) as refused:
        create(lighting, component, author=resident)
    assert REFUSED in refused.value.message
    assert refused.value.url.startswith(reverse("accounts:verification_start", args=["sceaux"]))
    assert not Report.objects.exists()
    verified_resident(resident)
    assert create(lighting, component, author=resident).author == resident


def test_a_verification_in_another_commune_does_not_count_for_reporting(component, lighting, resident):
    _reserve(component, "report")
    verified_resident(resident, commune("montreuil"))
    with pytest.raises(VerificationRequired):
        create(lighting, component, author=resident)
    assert not Report.objects.exists()


def test_without_an_account_a_reserved_report_is_refused_even_with_an_email(client, component, lighting):
    _reserve(component, "report")
    with pytest.raises(VerificationRequired) as refused:
        create(lighting, component, email="habitant@example.org")
    assert "Connectez-vous, puis vérifiez votre résidence" in refused.value.message
    page = client.get(form_url(component)).content.decode()
    assert "Connectez-vous, puis vérifiez votre résidence" in page and "Se connecter" in page
    assert "Envoyer mon signalement" not in page
    response = client.post(form_url(component), form_data(lighting))
    assert response.status_code == 403 and "Connectez-vous" in response.content.decode()
    assert not Report.objects.exists()


def test_the_form_page_shows_why_and_where_to_verify_instead_of_the_form(client, component, lighting, resident):
    _reserve(component, "report")
    client.force_login(resident)
    page = client.get(form_url(component)).content.decode()
    assert REFUSED in page and "Vérifier ma résidence" in page
    assert reverse("accounts:verification_start", args=["sceaux"]) in page
    assert "Envoyer mon signalement" not in page
    # The map page shows the same instead of its "Send a report" button.
    page = client.get(map_url(component)).content.decode()
    assert REFUSED in page and "Envoyer un signalement</a>" not in page
    # A report posted anyway (an old tab) is refused with the same words, and nothing is saved.
    response = client.post(form_url(component), form_data(lighting, email=""))
    assert response.status_code == 403 and REFUSED in response.content.decode()
    assert not Report.objects.exists()


def test_a_verified_resident_reports_through_the_form(client, component, lighting, resident):
    _reserve(component, "report")
    verified_resident(resident)
    client.force_login(resident)
    page = client.get(form_url(component)).content.decode()
    assert "Envoyer mon signalement" in page and REFUSED not in page
    response = client.post(form_url(component), form_data(lighting, email=""))
    assert response.status_code == 302
    assert Report.objects.get().author == resident


# "Me too" ---------------------------------------------------------------------------------------------

def test_me_too_stays_open_to_everyone_by_default(client, component, lighting, resident):
    report = make_report(lighting, component)
    services.report_support_add(report=report, email="voisine@example.org")
    services.report_support_add(report=report, user=resident)
    assert ReportSupport.objects.filter(report=report).count() == 2


def test_an_unverified_resident_cannot_say_me_too_and_nothing_is_counted(component, lighting, resident):
    _reserve(component, "support")
    report = make_report(lighting, component)
    with pytest.raises(VerificationRequired) as refused:
        services.report_support_add(report=report, user=resident)
    assert REFUSED in refused.value.message
    with pytest.raises(VerificationRequired):
        services.report_support_add(report=report, email="voisine@example.org")
    verified_resident(resident, commune("montreuil"))
    with pytest.raises(VerificationRequired):
        services.report_support_add(report=report, user=resident)
    report.refresh_from_db()
    assert report.support_count == 0 and not ReportSupport.objects.exists()
    verified_resident(resident)
    services.report_support_add(report=report, user=resident)
    report.refresh_from_db()
    assert report.support_count == 1


def test_the_report_page_shows_why_and_where_to_verify_instead_of_me_too(client, component, lighting, resident):
    _reserve(component, "support")
    report = make_report(lighting, component)
    support_url = reverse("reports_signalements:support", args=[report.pk])
    client.force_login(resident)
    page = client.get(report.get_absolute_url()).content.decode()
    assert REFUSED in page and "Vérifier ma résidence" in page and support_url not in page
    response = client.post(support_url)
    assert response.status_code == 403 and REFUSED in response.content.decode()
    client.logout()
    page = client.get(report.get_absolute_url()).content.decode()
    assert "Connectez-vous, puis vérifiez votre résidence" in page and support_url not in page
    response = client.post(support_url, {"email": "voisine@example.org"})
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.support_count == 0 and not ReportSupport.objects.exists()


def test_a_verified_resident_says_me_too_from_the_report_page(client, component, lighting, resident):
    _reserve(component, "support")
    report = make_report(lighting, component)
    verified_resident(resident)
    client.force_login(resident)
    support_url = reverse("reports_signalements:support", args=[report.pk])
    assert support_url in client.get(report.get_absolute_url()).content.decode()
    assert client.post(support_url).status_code == 302
    report.refresh_from_db()
    assert report.support_count == 1


def test_nearby_reports_send_to_their_page_when_me_too_is_reserved(client, component, lighting, resident):
    _reserve(component, "support")
    report = make_report(lighting, component)
    client.force_login(resident)
    url = reverse("reports:nearby", args=["sceaux", component.space.slug, component.pk])
    page = client.get(url, {"location_latitude": SCEAUX_POINT[0], "location_longitude": SCEAUX_POINT[1],
                            "category": lighting.pk}).content.decode()
    assert "Moi aussi" in page and f'href="{report.get_absolute_url()}#moi-aussi"' in page
    assert reverse("reports_signalements:support", args=[report.pk]) not in page


def test_me_too_on_a_report_sent_without_a_page_follows_the_communes_components(component, lighting, resident):
    # An Open311 report has no component: the reports components of its commune decide.
    _reserve(component, "support")
    report = make_report(lighting, component=None)
    with pytest.raises(VerificationRequired):
        services.report_support_add(report=report, user=resident)
    assert not ReportSupport.objects.exists()


# Open311 ----------------------------------------------------------------------------------------------

def open311_post(client, *, fmt="json", **changes):
    _key, raw = workflow.open311_key_create(actor=None, organisation=commune("sceaux"), name="Application")
    data = {"jurisdiction_id": "92071", "service_code": "eclairage", "lat": str(SCEAUX_POINT[0]),
            "long": str(SCEAUX_POINT[1]), "email": "habitant@example.org", "description": "Lampadaire éteint",
            "api_key": raw, **changes}
    return client.post(f"/open311/v2/requests.{fmt}", data)


def test_open311_posting_works_while_reporting_is_open_to_all(client, component, lighting):
    _reserve(component, "support")  # only "me too" is reserved
    response = open311_post(client)
    assert response.status_code == 200, response.content
    assert Report.objects.get().channel == "api"


def test_open311_posting_is_refused_with_a_403_when_reporting_is_reserved(client, component, lighting):
    _reserve(component, "report")
    response = open311_post(client)
    assert response.status_code == 403
    errors = response.json()
    assert errors[0]["code"] == 403
    assert "seuls les habitants vérifiés peuvent envoyer un signalement" in errors[0]["description"]
    assert "Open311" in errors[0]["description"]
    response = open311_post(client, fmt="xml")
    assert response.status_code == 403 and b"<code>403</code>" in response.content
    assert not Report.objects.exists()


def test_a_reservation_by_a_metropole_component_also_closes_open311_in_its_communes(client, places, lighting,
                                                                                     metropole):
    space = SpaceFactory(organisation=metropole, slug="metropole-signale", title="La Métropole")
    _reserve(ComponentFactory(space=space, kind="reports", title="Signalements"), "report")
    assert open311_post(client).status_code == 403
    assert not Report.objects.exists()


def test_a_reservation_in_another_commune_leaves_open311_open_here(client, places, lighting, montreuil):
    space = SpaceFactory(organisation=montreuil, slug="montreuil-signale", title="Montreuil")
    _reserve(ComponentFactory(space=space, kind="reports", title="Signalements"), "report")
    assert open311_post(client).status_code == 200
    assert Report.objects.count() == 1


def test_the_service_refuses_a_report_without_a_page_where_reporting_is_reserved(component, lighting):
    # The service itself checks, whichever channel calls it without a component.
    _reserve(component, "report")
    with pytest.raises(VerificationRequired):
        create(lighting, email="habitant@example.org")
    assert not Report.objects.exists()
