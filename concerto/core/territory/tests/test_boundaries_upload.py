"""The Métropole's administrators upload commune boundaries from the back-office."""

import html
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from concerto.core.audit.models import AuditEntry
from concerto.core.territory import forms, lookup
from concerto.core.territory.models import Organisation

pytestmark = pytest.mark.django_db

PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


def square(lon, lat, side=0.01):
    return {"type": "Polygon", "coordinates": [[[lon, lat], [lon + side, lat], [lon + side, lat + side],
                                                 [lon, lat + side], [lon, lat]]]}


SCEAUX_SQUARE, IN_SCEAUX = square(2.29, 48.77), (2.295, 48.775)
MONTREUIL_SQUARE, IN_MONTREUIL = square(2.44, 48.86), (2.445, 48.865)


def collection(*features):
    return {"type": "FeatureCollection", "features": list(features)}


def feature(code, geometry, key="INSEE_COM"):
    return {"type": "Feature", "properties": {key: code, "NOM": "x"}, "geometry": geometry}


def geojson_file(content, name="communes.geojson", content_type="application/geo+json"):
    data = content if isinstance(content, bytes) else json.dumps(content).encode()
    return SimpleUploadedFile(name, data, content_type=content_type)


def text(response) -> str:
    return html.unescape(response.content.decode())


def url(organisation) -> str:
    return reverse("territory_backoffice:boundaries", args=[organisation.slug])


def nothing_imported() -> bool:
    return (not Organisation.objects.filter(boundary__isnull=False).exists()
            and not AuditEntry.objects.filter(action="territory.boundaries_imported").exists())


def test_the_page_explains_the_file_and_shows_how_many_communes_have_a_boundary(staff_client, metropole_admin,
                                                                                metropole):
    total = Organisation.objects.communes().count()

    response = staff_client(metropole_admin).get(url(metropole))

    page = text(response)
    assert response.status_code == 200
    assert "FeatureCollection" in page and "Polygon" in page and "INSEE_COM, insee_com, code" in page
    assert f"0 commune sur {total} a un contour." in page
    assert f"{total} communes sans contour" in page
    assert "Sceaux (92071)" in page
    assert 'enctype="multipart/form-data"' in page


def test_a_metropole_admin_uploads_boundaries_which_the_point_lookup_then_uses(staff_client, metropole_admin,
                                                                               metropole, sceaux, montreuil):
    client = staff_client(metropole_admin)
    assert lookup.commune_at(*IN_SCEAUX) is None  # the index is built before the upload, then must be refreshed
    upload = collection(feature("92071", SCEAUX_SQUARE), feature("93048", MONTREUIL_SQUARE, key="code"),
                        feature("99999", square(2.0, 48.0)))

    # The request checks the file; the worker (a background job, run in-process here) writes the boundaries.
    response = client.post(url(metropole), {"file": geojson_file(upload)}, follow=True)

    page = text(response)
    assert response.status_code == 200 and response.redirect_chain[0][0].startswith("/gestion/metropole/taches/")
    assert "2 contours de communes mis à jour." in page
    assert "1 objet ignoré\u00a0: son code INSEE ne correspond à aucune commune de la Métropole (99999)." in page
    page = text(client.get(url(metropole)))
    total = Organisation.objects.communes().count()
    assert f"2 communes sur {total} ont un contour." in page
    sceaux.refresh_from_db()
    assert sceaux.boundary == SCEAUX_SQUARE
    assert lookup.commune_at(*IN_SCEAUX).pk == sceaux.pk
    assert lookup.commune_at(*IN_MONTREUIL).pk == montreuil.pk
    entry = AuditEntry.objects.get(action="territory.boundaries_imported")
    assert entry.actor == metropole_admin
    assert entry.data["imported"] == 2 and entry.data["unknown_codes"] == ["99999"]


def test_the_metropole_back_office_home_links_to_the_page_for_its_admins_only(staff_client, metropole_admin,
                                                                               metropole, admin_sceaux, sceaux):
    link = url(metropole)
    assert link in text(staff_client(metropole_admin).get(reverse("backoffice:organisation", args=["metropole"])))
    page = text(staff_client(admin_sceaux).get(reverse("backoffice:organisation", args=[sceaux.slug])))
    assert "contours/" not in page


@pytest.mark.parametrize(("upload", "error"), [
    pytest.param(geojson_file(collection(feature("92071", {"type": "Point", "coordinates": [2.29, 48.77]}))),
                 "Objet n° 1 (92071)\u00a0: sa géométrie est de type Point, et non Polygon ou MultiPolygon.",
                 id="malformed"),
    pytest.param(geojson_file({"type": "Feature", "properties": {}, "geometry": SCEAUX_SQUARE}),
                 "Le fichier doit être une FeatureCollection GeoJSON (trouvé\u00a0: Feature).", id="not-a-collection"),
    pytest.param(geojson_file(b'{"type": "FeatureCollection", "features": ['),
                 "Le fichier n'est pas un JSON valide (ligne 1, colonne 44)", id="truncated-json"),
    pytest.param(geojson_file(PNG_BYTES, name="communes.geojson"),
                 "Le fichier n'est pas un JSON valide", id="an-image-named-geojson"),
    pytest.param(geojson_file(b"[" * 100_000), "Le fichier n'est pas un JSON valide", id="too-deeply-nested"),
    pytest.param(geojson_file(collection(feature("99999", SCEAUX_SQUARE))),
                 "Aucun objet ne correspond à une commune de la Métropole\u00a0: rien n'a été importé.",
                 id="no-known-code"),
    pytest.param(geojson_file(b""), "Le fichier soumis est vide.", id="empty"),
])
def test_a_bad_file_gives_a_french_error_and_changes_nothing(staff_client, metropole_admin, metropole, upload,
                                                             error):
    response = staff_client(metropole_admin).post(url(metropole), {"file": upload})

    assert response.status_code == 400
    page = text(response)
    assert "Il y a un problème" in page
    assert error in page
    assert nothing_imported()


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(staff_client, metropole_admin, metropole):
    content = json.dumps(collection(feature("92071", SCEAUX_SQUARE))).encode()
    too_big = content + b" " * (forms.MAX_BOUNDARIES_BYTES + 1024 * 1024 - len(content))

    response = staff_client(metropole_admin).post(url(metropole), {"file": geojson_file(too_big)})

    assert response.status_code == 400
    assert "Le fichier est trop volumineux (11\xa0Mo). La taille maximale est de 10\xa0Mo." in text(response)
    assert nothing_imported()


def test_a_file_with_one_bad_feature_changes_no_commune_even_the_good_ones(staff_client, metropole_admin,
                                                                          metropole, sceaux):
    upload = collection(feature("92071", SCEAUX_SQUARE), feature("93048", {"type": "Polygon", "coordinates": []}))

    response = staff_client(metropole_admin).post(url(metropole), {"file": geojson_file(upload)})

    assert response.status_code == 400
    assert "Objet n° 2 (93048)\u00a0: un polygone n'a aucun contour." in text(response)
    assert nothing_imported()
    assert lookup.commune_at(*IN_SCEAUX) is None


def test_a_post_without_a_file_asks_for_one(staff_client, metropole_admin, metropole):
    response = staff_client(metropole_admin).post(url(metropole), {})

    assert response.status_code == 400
    assert "Ce champ est obligatoire." in text(response)


@pytest.mark.parametrize("person", ["admin_sceaux", "agent", "moderator"])
def test_commune_staff_cannot_open_or_post_the_metropole_page(request, staff_client, metropole, person):
    client = staff_client(request.getfixturevalue(person))

    assert client.get(url(metropole)).status_code == 403
    response = client.post(url(metropole), {"file": geojson_file(collection(feature("92071", SCEAUX_SQUARE)))})
    assert response.status_code == 403
    assert nothing_imported()


def test_the_page_exists_only_for_the_metropole(staff_client, admin_sceaux, metropole_admin, sceaux):
    upload = collection(feature("92071", SCEAUX_SQUARE))
    for client in (staff_client(admin_sceaux), staff_client(metropole_admin)):
        assert client.get(url(sceaux)).status_code == 404
        assert client.post(url(sceaux), {"file": geojson_file(upload)}).status_code == 404
    assert nothing_imported()


def test_an_anonymous_visitor_is_sent_to_the_login_page_and_nothing_changes(client, metropole):
    response = client.post(url(metropole), {"file": geojson_file(collection(feature("92071", SCEAUX_SQUARE)))})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert client.get(url(metropole)).status_code == 302
    assert nothing_imported()


def test_the_page_keeps_its_address_under_the_metropole_back_office(staff_client, metropole_admin, metropole):
    # The page moved to the back-office package (territory sits below accounts): same address, same name.
    assert url(metropole) == f"/gestion/{metropole.slug}/contours/"
    assert staff_client(metropole_admin).get(f"/gestion/{metropole.slug}/contours/").status_code == 200
