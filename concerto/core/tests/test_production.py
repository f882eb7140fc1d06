"""The production set-up: static files collected with the production storage, the error pages in French with
DEBUG off, and the HTTPS settings read from the environment turned into the right headers and cookies.

`.ci/prod-smoke` runs the whole thing (gunicorn, a crawl); these tests keep each piece honest on its own.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client
from django.urls import path, reverse

from concerto.testing import PASSWORD, fresh_totp_code
from concerto.urls import urlpatterns as site_urlpatterns

PRODUCTION_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "concerto.core.staticfiles.StaticFilesStorage"},
}
ROOT = Path(django_settings.BASE_DIR)


def boom(request):
    raise RuntimeError("a defect")


# This module is also a URLconf (`@pytest.mark.urls(__name__)`): the site plus a page that fails, which
# production never mounts.
handler404 = "concerto.core.views.page_not_found"
handler500 = "concerto.core.views.server_error"
urlpatterns = [path("essai-panne/", boom), *site_urlpatterns]


@pytest.fixture
def production_static(settings, tmp_path):
    settings.STORAGES = PRODUCTION_STORAGES
    settings.STATIC_ROOT = tmp_path / "static"
    settings.WHITENOISE_USE_FINDERS = False
    return settings.STATIC_ROOT


def test_collectstatic_with_the_production_storage_hashes_and_compresses_every_file(production_static):
    call_command("collectstatic", interactive=False, verbosity=0)

    manifest = json.loads((production_static / "staticfiles.json").read_text())["paths"]
    cluster = manifest["leaflet-markercluster/leaflet.markercluster.js"]
    assert cluster != "leaflet-markercluster/leaflet.markercluster.js"
    # The package names a source map it does not ship: the dangling comment is gone from the served copy.
    assert "sourceMappingURL" not in (production_static / cluster).read_text()
    assert (production_static / f"{cluster}.gz").exists()
    # A source map that exists is still rewritten to its hashed name.
    leaflet = (production_static / manifest["leaflet/leaflet.js"]).read_text()
    hashed_map = manifest["leaflet/leaflet.js.map"]
    assert leaflet.rstrip().endswith(f"//# sourceMappingURL={hashed_map.rsplit('/', 1)[1]}")
    assert (production_static / hashed_map).exists()
    # The site's own files, as pages name them.
    assert manifest["concerto/concerto.css"].startswith("concerto/concerto.")


def test_a_stylesheet_naming_a_missing_image_still_stops_collectstatic(production_static, settings, tmp_path):
    own = tmp_path / "own"
    own.mkdir()
    (own / "broken.css").write_text("body { background: url(missing.png); }\n")
    (own / "dangling.js").write_text("var a = 1;\n//# sourceMappingURL=dangling.js.map\n")
    settings.STATICFILES_DIRS = [own]
    with pytest.raises(ValueError, match="missing.png"):
        call_command("collectstatic", interactive=False, verbosity=0)


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_the_500_page_is_french_with_debug_off(settings):
    settings.DEBUG = False
    response = Client(raise_request_exception=False).get("/essai-panne/")
    html = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="fr">' in html
    assert "Un problème est survenu" in html and "Rien de ce que vous aviez déjà enregistré" in html
    assert 'href="/"' in html


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_the_500_page_falls_back_to_a_plain_french_page_when_the_site_page_fails(settings, monkeypatch):
    settings.DEBUG = False

    def broken(*args, **kwargs):
        raise RuntimeError("the database is gone")

    monkeypatch.setattr("concerto.core.views.error_page", broken)
    response = Client(raise_request_exception=False).get("/essai-panne/")
    html = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="fr">' in html and "Un problème est survenu" in html
    assert "Something went wrong" in html  # the English second


@pytest.mark.django_db
def test_the_404_page_is_french_with_debug_off(settings, client):
    settings.DEBUG = False
    response = client.get("/commune-qui-n-existe-pas/")
    html = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="fr">' in html and "Page introuvable" in html


def settings_under(env: dict) -> dict:
    """The settings module as a fresh process reads it from ENV (plus a secret and DEBUG off)."""
    script = (
        "import json, concerto.settings as s; print(json.dumps({k: getattr(s, k, None) for k in ["
        "'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_HSTS_PRELOAD', 'SECURE_PROXY_SSL_HEADER',"
        "'SECURE_SSL_REDIRECT', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_SAMESITE',"
        "'CSRF_COOKIE_SAMESITE', 'SESSION_COOKIE_HTTPONLY', 'CSRF_TRUSTED_ORIGINS', 'SILENCED_SYSTEM_CHECKS',"
        "'STATIC_ROOT']}, default=str))"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith("CONCERTO_")}
    base.update({"CONCERTO_DEBUG": "0", "CONCERTO_SECRET_KEY": "x" * 50, "PYTHONPATH": str(ROOT)}, **env)
    done = subprocess.run([sys.executable, "-c", script], env=base, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_production_defaults_are_https_only_with_a_year_of_hsts():
    values = settings_under({})
    assert values["SECURE_HSTS_SECONDS"] == 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_HSTS_PRELOAD"] is False
    assert values["SILENCED_SYSTEM_CHECKS"] == ["security.W021"]
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SESSION_COOKIE_SECURE"] is True and values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SESSION_COOKIE_SAMESITE"] == values["CSRF_COOKIE_SAMESITE"] == "Lax"
    # The client's X-Forwarded-Proto is not believed unless the operator says a proxy sets it.
    assert values["SECURE_PROXY_SSL_HEADER"] is None


def test_the_environment_sets_the_proxy_hsts_preload_cookies_and_trusted_origins():
    values = settings_under({
        "CONCERTO_BEHIND_HTTPS_PROXY": "1", "CONCERTO_HSTS_SECONDS": "600", "CONCERTO_HSTS_PRELOAD": "1",
        "CONCERTO_HSTS_INCLUDE_SUBDOMAINS": "0", "CONCERTO_SSL_REDIRECT": "0", "CONCERTO_COOKIE_SAMESITE": "strict",
        "CONCERTO_CSRF_TRUSTED_ORIGINS": "https://concerto.example.org,https://participer.example.org",
        "CONCERTO_STATIC_ROOT": "/srv/concerto/static",
    })
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SECURE_HSTS_SECONDS"] == 600
    assert values["SECURE_HSTS_PRELOAD"] is True and values["SILENCED_SYSTEM_CHECKS"] == []
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SESSION_COOKIE_SAMESITE"] == "Strict"
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://concerto.example.org", "https://participer.example.org"]
    assert values["STATIC_ROOT"] == "/srv/concerto/static"
    assert settings_under({"CONCERTO_HSTS_SECONDS": "0"})["SECURE_HSTS_SECONDS"] == 0


def test_a_samesite_value_other_than_lax_or_strict_stops_the_start():
    script = "import concerto.settings"
    env = {**os.environ, "CONCERTO_DEBUG": "0", "CONCERTO_SECRET_KEY": "x" * 50, "CONCERTO_COOKIE_SAMESITE": "None"}
    done = subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode != 0 and "CONCERTO_COOKIE_SAMESITE must be Lax or Strict" in done.stderr


def deploy_check(env: dict) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("CONCERTO_") and k != "REDIS_URL"}
    # The documented production set-up has Redis (docs/operations.md); the check is not a connection.
    base.update({"CONCERTO_DEBUG": "0", "CONCERTO_SECRET_KEY": os.urandom(48).hex(), "PYTHONPATH": str(ROOT),
                 "CONCERTO_ALLOWED_HOSTS": "concerto.example.org", "REDIS_URL": "redis://127.0.0.1:6379/0"})
    base.update(env)
    return subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                          env={k: v for k, v in base.items() if v is not None}, cwd=ROOT, capture_output=True,
                          text=True)


def test_check_deploy_is_clean_with_the_production_defaults_and_not_when_hsts_is_off():
    clean = deploy_check({})
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "no issues (1 silenced)" in clean.stdout
    no_hsts = deploy_check({"CONCERTO_HSTS_SECONDS": "0", "CONCERTO_SSL_REDIRECT": "0"})
    assert no_hsts.returncode != 0
    assert "security.W004" in no_hsts.stderr and "security.W008" in no_hsts.stderr
    no_redis = deploy_check({"REDIS_URL": None})
    assert no_redis.returncode != 0 and "concerto.W001" in no_redis.stderr


@pytest.fixture
def production_headers(settings):
    """What the production defaults set, behind a proxy (the settings above, as the middleware reads them)."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = False
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True


@pytest.mark.django_db
def test_behind_the_proxy_an_https_page_carries_the_security_headers(production_headers, client):
    response = client.get("/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_plain_http_is_sent_to_https_and_a_client_cannot_claim_https_without_the_proxy_setting(
        production_headers, settings, client):
    response = client.get("/sceaux/?a=1")
    assert response.status_code == 301 and response["Location"] == "https://testserver/sceaux/?a=1"
    assert "Strict-Transport-Security" not in response
    # The load balancers' health checks speak plain HTTP to each app server and want the answer itself.
    assert client.get("/sante/").status_code != 301
    settings.SECURE_PROXY_SSL_HEADER = None
    assert client.get("/", HTTP_X_FORWARDED_PROTO="https").status_code == 301


@pytest.mark.django_db
def test_the_session_and_csrf_cookies_are_secure_httponly_and_samesite(production_headers, client, agent):
    https = {"HTTP_X_FORWARDED_PROTO": "https"}
    page = client.get(reverse("account_login"), **https)
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"] and csrf["samesite"] == "Lax"
    client.post(reverse("account_login"), {"login": agent.email, "password": PASSWORD}, **https)
    response = client.post(reverse("mfa_authenticate"), {"code": fresh_totp_code()}, **https)
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
