"""The Content-Security-Policy and the Permissions-Policy (concerto/core/security.py), and the templates that
must carry no inline code for the policy to hold. The browser tests check the policy in Chromium itself
(concerto/browser/test_security_headers.py) and fail on any violation on any page they visit."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from concerto.core.security import PERMISSIONS_POLICY, content_security_policy, csp_extra_parse, origin_of
from concerto.core.templatetags.bars import bar_class
from concerto.testing import commune

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_every_page_sends_a_policy_without_unsafe_inline_and_a_permissions_policy(client):
    response = client.get("/sceaux/")
    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["base-uri"] == ["'self'"]
    assert "unsafe" not in response["Content-Security-Policy"]
    assert "report-uri" not in policy
    permissions = response["Permissions-Policy"]
    assert "camera=()" in permissions and "microphone=()" in permissions and "payment=()" in permissions
    assert "usb=()" in permissions and "geolocation=(self)" in permissions


def test_the_policy_is_sent_with_debug_off_too_and_on_errors_and_the_api(client):
    with override_settings(DEBUG=False):
        for url in ["/", "/commune-inconnue/", "/api/v1/openapi.json"]:
            response = client.get(url)
            assert "frame-ancestors 'none'" in response["Content-Security-Policy"], url
            assert response["Permissions-Policy"] == PERMISSIONS_POLICY, url


def test_an_accent_colour_is_the_only_inline_style_and_carries_a_fresh_nonce_per_request(client):
    sceaux = commune("sceaux")
    sceaux.accent_color = "#7a1f5c"
    sceaux.save()
    nonces = []
    for _ in range(2):
        response = client.get("/sceaux/")
        nonce = re.search(r"'nonce-([\w-]+)'", response["Content-Security-Policy"]).group(1)
        assert directives(response["Content-Security-Policy"])["style-src"] == ["'self'", f"'nonce-{nonce}'"]
        assert directives(response["Content-Security-Policy"])["script-src"] == ["'self'"]  # no inline script
        assert f'<style nonce="{nonce}">:root {{ --accent: #7a1f5c; }}</style>' in response.content.decode()
        nonces.append(nonce)
    assert nonces[0] != nonces[1] and len(nonces[0]) >= 22
    # A page without inline code names no nonce at all.
    assert "nonce" not in client.get("/")["Content-Security-Policy"]


def test_the_tile_servers_origin_is_allowed_for_images_when_a_tile_server_is_set(client):
    with override_settings(CONCERTO_MAP_TILES_URL="https://tiles.example.org:8443/wmts/{z}/{x}/{y}.png"):
        policy = directives(client.get("/")["Content-Security-Policy"])
    assert policy["img-src"] == ["'self'", "data:", "https://tiles.example.org:8443"]
    assert origin_of("https://user:secret@data.geopf.fr/wmts?layer={z}") == "https://data.geopf.fr"
    assert origin_of("/tiles/{z}/{x}/{y}.png") == ""


def test_an_operator_adds_sources_per_directive_and_a_report_address(client):
    extra = "img-src https://media.example.org; connect-src https://stats.example.org; frame-src https://v.example"
    with override_settings(CONCERTO_CSP_EXTRA=extra, CONCERTO_CSP_REPORT_URI="https://csp.example.org/report"):
        response = client.get("/")
    policy = directives(response["Content-Security-Policy"])
    assert policy["img-src"] == ["'self'", "data:", "https://media.example.org"]
    assert policy["connect-src"] == ["'self'", "https://stats.example.org"]
    assert policy["frame-src"] == ["https://v.example"]  # 'none' gives way to the sources added
    assert policy["report-uri"] == ["https://csp.example.org/report"]
    assert policy["report-to"] == ["csp-endpoint"]
    assert response["Reporting-Endpoints"] == 'csp-endpoint="https://csp.example.org/report"'


@pytest.mark.parametrize("extra, message", [
    ("scripts-src https://a.example", "unknown directive 'scripts-src'"),
    ("script-src 'unsafe-inline'", "'unsafe-inline' in script-src would undo the policy"),
    ("style-src *", "* in style-src would undo the policy"),
])
def test_extra_sources_that_would_undo_the_policy_stop_the_start(extra, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        csp_extra_parse(extra)
    with override_settings(CONCERTO_CSP_EXTRA=extra), pytest.raises(SystemCheckError, match=re.escape(message)):
        call_command("check", verbosity=0)


def test_a_view_that_sends_its_own_policy_keeps_it():
    from django.http import HttpResponse

    from concerto.core.security import SecurityHeadersMiddleware

    class Request:
        pass

    response = SecurityHeadersMiddleware(lambda request: HttpResponse(
        headers={"Content-Security-Policy": "default-src 'none'"}))(Request())
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert content_security_policy("abc").count("'nonce-abc'") == 1


@pytest.mark.parametrize("value, expected", [
    (0, "bar-w-0"), (42.4, "bar-w-42"), (42.6, "bar-w-43"), ("57.5", "bar-w-58"), (130, "bar-w-100"),
    (-3, "bar-w-0"), (None, "bar-w-0"), ("abc", "bar-w-0"), (float("inf"), "bar-w-100"),
])
def test_a_bar_width_is_one_of_the_stylesheets_classes(value, expected):
    assert bar_class(value) == expected
    css = (ROOT / "static" / "concerto" / "concerto.css").read_text()
    assert f".{expected}{{width:{expected[6:]}%}}" in css


# What the policy would block in a template: inline scripts (a data block of type application/json is not
# run), event-handler attributes, style attributes and <style> blocks without the request's nonce.
INLINE_CODE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I), "event-handler attribute"),
    (re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"<style(?![^>]*\bnonce=\"\{\{ request\.csp_nonce \}\}\")[^>]*>", re.I), "<style> without nonce"),
    (re.compile(r"\bhx-on|\bhx-trigger=\"[^\"]*\[", re.I), "htmx code (needs eval)"),
]


def test_no_template_carries_inline_code_that_the_policy_would_block():
    found = []
    for path in sorted(ROOT.rglob("templates/**/*.html")):
        text = re.sub(r"\{% comment %\}.*?\{% endcomment %\}|\{#.*?#\}", "", path.read_text(), flags=re.S)
        for pattern, what in INLINE_CODE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(ROOT)}:{line}: {what}: {match.group(0)[:80]}")
    assert not found, "\n".join(found)
    assert len(list(ROOT.rglob("templates/**/*.html"))) > 100  # the walk did find the templates


def test_a_page_may_be_granted_one_more_feature_and_an_unknown_one_is_refused():
    from concerto.core.security import permissions_allow, permissions_policy

    assert "camera=(self)" in permissions_policy("camera") and "camera=()" in PERMISSIONS_POLICY
    assert permissions_policy("camera").replace("camera=(self)", "camera=()") == PERMISSIONS_POLICY
    with pytest.raises(ValueError, match="unknown Permissions-Policy features: camra"):
        permissions_allow("camra")
