"""`make run` keeps DEBUG on: a missing page or a crash still shows the site's own French pages, not Django's
technical ones (core/middleware.py SiteErrorPagesMiddleware); CONCERTO_DEBUG_ERRORS=technical gives them back."""

import pytest
from django.http import Http404
from django.urls import include, path

import concerto.urls

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def crash(request):
    raise RuntimeError("boom")


def missing(request):
    raise Http404("no such thing")


urlpatterns = [
    path("test-crash/", crash),
    path("test-missing/", missing),
    path("", include(concerto.urls.urlpatterns)),
]
handler403, handler404, handler500 = concerto.urls.handler403, concerto.urls.handler404, concerto.urls.handler500


@pytest.fixture
def debug_on(settings):
    settings.DEBUG = True
    settings.CONCERTO_DEBUG_ERRORS = "site"
    return settings


@pytest.mark.parametrize("url", ["/cette-page-n-existe-pas/", "/test-missing/", "/signalements/99999999/"])
def test_a_missing_page_is_the_sites_own_french_page_even_with_debug_on(client, debug_on, url):
    response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 404
    assert "Page introuvable" in page and 'lang="fr"' in page
    assert "DEBUG = True" not in page and "Traceback" not in page


def test_a_crash_is_the_sites_own_french_page_even_with_debug_on(client, debug_on, caplog):
    response = client.get("/test-crash/")
    page = response.content.decode()
    assert response.status_code == 500
    assert "Un problème est survenu" in page and "Rien de ce que vous aviez déjà enregistré" in page
    assert "RuntimeError" not in page and "Traceback" not in page
    assert any("boom" in str(record.exc_info[1]) for record in caplog.records if record.exc_info)


def test_a_developer_can_have_djangos_technical_pages_back(client, settings):
    settings.DEBUG = True
    settings.CONCERTO_DEBUG_ERRORS = "technical"
    page = client.get("/cette-page-n-existe-pas/").content.decode()
    assert "DEBUG = True" in page
