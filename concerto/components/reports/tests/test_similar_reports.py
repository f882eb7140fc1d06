"""Similar reports: while a resident describes a problem, the commune's open public reports that say the same
thing (the kernel's engine, concerto/core/texts/similar.py), with how far they are when the point is known; the
same without JavaScript (« Check for similar reports »), and for API clients (GET /api/v1/reports/reports/similar)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from concerto.components.reports import services
from concerto.components.reports.models import Report

from .test_reporting import MONTREUIL, form_url, post_data

pytestmark = pytest.mark.django_db

PARC = (48.7745, 2.2990)
STREET = (48.7750, 2.2990)  # about 56 m north


def _similar_url(component):
    space = component.space
    return reverse("reports:similar", args=[space.organisation.slug, space.slug, component.pk])


def _report(category, description, point=PARC, component=None):
    return services.report_create(component=component, category=category, kind="malfunction", latitude=point[0],
                                  longitude=point[1], description=description, email="voisin@example.org")


@pytest.fixture
def lamp(component, lighting):
    _report(lighting, "Un banc cassé près de l'entrée du parc.")
    return _report(lighting, "Le lampadaire de l'allée centrale est éteint depuis dimanche soir.",
                   component=component)


def test_a_french_paraphrase_suggests_the_open_report_with_its_me_too_and_distance(client, component, lamp):
    html = client.get(_similar_url(component), {
        "description": "Lampadaires éteints dans l'allée", "location_latitude": STREET[0],
        "location_longitude": STREET[1]}).content.decode()
    assert "Signalements semblables en cours" in html
    assert f'href="{lamp.get_absolute_url()}"' in html and f"n° {lamp.pk}" in html
    assert "0 «\u00a0moi aussi\u00a0»" in html and "à 60 m de votre point" in html
    assert "banc" not in html
    # Without a point, no distance; an unrelated text finds nothing.
    html = client.get(_similar_url(component), {"description": "lampadaire éteint"}).content.decode()
    assert lamp.get_absolute_url() in html and "de votre point" not in html
    assert client.get(_similar_url(component), {"description": "Félicitations au service des espaces verts"}
                      ).content.decode().strip() == ""


def test_closed_hidden_and_other_communes_reports_are_never_suggested(client, component, lamp, lighting,
                                                                      montreuil_roads):
    query = {"description": "lampadaire éteint allée"}
    resolved = _report(lighting, "Lampadaire éteint dans l'allée du parc, côté gare.")
    hidden = _report(lighting, "Lampadaire éteint dans l'allée, côté lycée.")
    elsewhere = _report(montreuil_roads, "Lampadaire éteint dans l'allée de Montreuil.", point=MONTREUIL)
    assert resolved.get_absolute_url() in client.get(_similar_url(component), query).content.decode()
    resolved.status = Report.Status.RESOLVED
    resolved.save()
    hidden.hidden_at = timezone.now()
    hidden.save()
    html = client.get(_similar_url(component), query).content.decode()
    assert lamp.get_absolute_url() in html
    for gone in (resolved, hidden, elsewhere):
        assert f'href="{gone.get_absolute_url()}"' not in html


def test_the_form_asks_while_the_description_is_typed(client, component, lighting):
    form = client.get(form_url(component)).content.decode()
    assert f'hx-get="{_similar_url(component)}"' in form and 'hx-include="closest form"' in form
    assert 'id="similar-reports"' in form and 'aria-live="polite"' in form
    assert "Chercher des signalements semblables" in form


def test_without_javascript_the_check_button_shows_them_and_keeps_the_form(client, component, lamp, lighting,
                                                                         resident):
    for signed_in in (False, True):
        if signed_in:
            client.force_login(resident)
        response = client.post(form_url(component), post_data(
            lighting, point=(str(STREET[0]), str(STREET[1])), similar_check="1",
            description="Mon texte : le lampadaire de l'allée est éteint."))
        html = response.content.decode()
        assert response.status_code == 200 and lamp.get_absolute_url() in html and "à 60 m de votre point" in html
        assert "Mon texte : le lampadaire de l&#x27;allée est éteint." in html
        assert "Il y a un problème" not in html
    assert Report.objects.count() == 2
    # At the report's own point, the same category within 50 m is offered too, with « Moi aussi ».
    response = client.post(form_url(component), post_data(lighting, point=(str(PARC[0]), str(PARC[1])),
                                                           similar_check="1", description="lampadaire éteint"))
    assert "Déjà signalé à proximité" in response.content.decode()
    response = client.post(form_url(component), post_data(lighting, similar_check="1",
                                                           description="Bravo pour la fête du quartier"))
    assert "Aucun signalement semblable en cours n’a été trouvé" in response.content.decode()


def test_a_failed_sending_shows_similar_reports(client, component, lamp, lighting):
    response = client.post(form_url(component), {**post_data(lighting, description="Lampadaire éteint"),
                                                      "category": ""})
    assert response.status_code == 400 and lamp.get_absolute_url() in response.content.decode()


@pytest.mark.parametrize("query", [
    {}, {"description": ""}, {"description": "le la les"}, {"description": "lampadaire " * 50_000},
    {"description": "\x00<script>", "location_latitude": "abc"}, {"description": "?!:;«»"},
])
def test_bad_input_gives_an_empty_fragment_never_a_500(client, component, lamp, query):
    response = client.get(_similar_url(component), query)
    assert response.status_code == 200 and "<script>" not in response.content.decode()


def test_lookups_are_rate_limited_per_sender(client, rate_limits, component, lamp):
    rate_limits.CONCERTO_RATE_LIMITS = {"similar_lookup": (1, 600)}
    statuses = [client.get(_similar_url(component), {"description": "lampadaire"}, REMOTE_ADDR="10.9.8.7").status_code
                for _ in range(6)]
    assert statuses == [200] * 5 + [429]


# --- The API ------------------------------------------------------------------------------------------------

API = "/api/v1/reports/reports/similar"


def test_the_api_gives_similar_open_reports_of_the_organisation(client, component, lamp, lighting,
                                                                montreuil_roads):
    _report(montreuil_roads, "Lampadaire éteint dans l'allée de Montreuil.", point=MONTREUIL)
    response = client.get(API, {"organisation": "sceaux", "text": "lampadaires éteints allée",
                                "latitude": STREET[0], "longitude": STREET[1]})
    assert response.status_code == 200
    [found] = response.json()
    assert found["id"] == lamp.pk and found["category"] == "Éclairage public" and found["status"] == "new"
    assert found["me_too"] == 0 and 50 <= found["distance_m"] <= 60 and 0.25 <= found["similarity"] <= 1
    assert found["url"].endswith(lamp.get_absolute_url())
    assert client.get(API, {"organisation": "sceaux", "text": "bravo pour la fête"}).json() == []
    assert client.get(API, {"organisation": "montreuil", "text": "lampadaire éteint"}).json()[0]["id"] != lamp.pk


@pytest.mark.parametrize("query, status", [
    ({"organisation": "sceaux"}, 200), ({"organisation": "sceaux", "text": "le la les"}, 200),
    ({"organisation": "nulle-part", "text": "lampadaire"}, 404), ({"text": "lampadaire"}, 422),
    ({"organisation": "sceaux", "text": "x" * 6_000}, 422), ({"organisation": "sceaux", "text": "a\x00b"}, 422),
    ({"organisation": "sceaux", "text": "lampadaire", "latitude": "999"}, 422),
    ({"organisation": "sce aux", "text": "lampadaire"}, 422),
])
def test_the_api_answers_bad_input_in_its_error_format(client, component, lamp, query, status):
    response = client.get(API, query)
    assert response.status_code == status
    body = response.json()
    assert body == [] if status == 200 else body["detail"]


def test_the_api_is_rate_limited_with_retry_after(client, rate_limits, component, lamp):
    rate_limits.CONCERTO_RATE_LIMITS = {"similar_lookup": (1, 600)}
    responses = [client.get(API, {"organisation": "sceaux", "text": "lampadaire"}, REMOTE_ADDR="10.9.8.6")
                 for _ in range(6)]
    assert [r.status_code for r in responses] == [200] * 5 + [429]
    assert responses[-1]["Retry-After"] == "600" and "attendez 10" in responses[-1].json()["detail"]


def test_the_api_documents_the_endpoint(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"][API]["get"]
    assert {"200", "404", "422", "429"} <= set(operation["responses"])
    assert "SimilarReportOut" in schema["components"]["schemas"]



# --- Likely duplicates in the back-office -------------------------------------------------------------------

def _backoffice(component, name="duplicates", *args):
    space = component.space
    return reverse(f"reports_backoffice:{name}", args=[space.organisation.slug, space.slug, component.pk, *args])


def test_agents_see_likely_duplicates_and_merge_the_newer_into_the_older(staff_client, agent, component, lamp,
                                                                         lighting):
    newer = _report(lighting, "Dans l'allée centrale le lampadaire est éteint depuis dimanche.", point=STREET)
    hidden = _report(lighting, "Le lampadaire de l'allée centrale est éteint depuis dimanche, encore.")
    hidden.hidden_at = timezone.now()
    hidden.save()
    client = staff_client(agent)
    assert _backoffice(component) in client.get(_backoffice(component, "index")).content.decode()
    html = client.get(_backoffice(component)).content.decode()
    assert "Doublons probables" in html and "Ressemblance" in html and "à 56 m l’un de l’autre" in html
    assert f"n° {lamp.pk}" in html and f"n° {newer.pk}" in html and f"n° {hidden.pk}" not in html
    assert "banc" not in html
    assert html.index(f"n° {lamp.pk}") < html.index(f"n° {newer.pk}")  # the older first: the newer joins it
    response = client.post(_backoffice(component, "merge", newer.pk), {"into": lamp.pk, "back": "duplicates"})
    assert response.status_code == 302 and response["Location"] == _backoffice(component)
    newer.refresh_from_db()
    assert newer.duplicate_of == lamp and newer.status == Report.Status.DUPLICATE
    assert "Aucun doublon probable" in client.get(_backoffice(component)).content.decode()


def test_officials_read_the_duplicates_without_the_merge(staff_client, elected, component, lamp, lighting):
    _report(lighting, "Dans l'allée centrale le lampadaire est éteint depuis dimanche.", point=STREET)
    html = staff_client(elected).get(_backoffice(component)).content.decode()
    assert f"n° {lamp.pk}" in html and "Fusionner le plus récent" not in html
