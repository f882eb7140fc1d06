"""Uploaded images are stored under the extension of their real format, whatever name they came with.

A web server serves a stored file with the Content-Type of its extension: a PNG named "page.html" would
be served as a page of the site's origin, able to run scripts.
"""

import html
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from concerto.core.spaces.models import Space

pytestmark = pytest.mark.django_db


def polyglot(fmt: str = "PNG") -> bytes:
    """An image with HTML after its end, that a browser would run if it were served as a page."""
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), (30, 30, 200)).save(buffer, fmt)
    return buffer.getvalue() + b"<html><script>alert(document.cookie)</script></html>"


def test_a_space_image_named_html_is_stored_as_the_image_it_is(staff_client, admin_sceaux):
    upload = SimpleUploadedFile("Page piégée.html", polyglot("PNG"), content_type="text/html")
    response = staff_client(admin_sceaux).post("/gestion/sceaux/espaces/nouveau/", {
        "title": "Aménagement du parc", "image": upload, "image_alt": "Plan du parc"})
    assert response.status_code == 302
    space = Space.objects.get(title="Aménagement du parc")
    assert space.image.name == "spaces/page-piegee.png"


def test_a_logo_named_svg_is_stored_as_the_image_it_is(staff_client, admin_sceaux, sceaux):
    upload = SimpleUploadedFile("logo.svg", polyglot("JPEG"), content_type="image/svg+xml")
    response = staff_client(admin_sceaux).post("/gestion/sceaux/reglages/", {"logo": upload})
    assert response.status_code == 302
    sceaux.refresh_from_db()
    assert sceaux.logo.name == "logos/logo.jpg"


def test_a_file_that_is_not_an_image_is_still_refused_in_french(staff_client, admin_sceaux):
    upload = SimpleUploadedFile("photo.png", b"<html><script>alert(1)</script></html>", content_type="image/png")
    response = staff_client(admin_sceaux).post("/gestion/sceaux/espaces/nouveau/", {
        "title": "Aménagement du parc", "image": upload, "image_alt": "Plan du parc"})
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert "Ce fichier n’est pas une image acceptée. Envoyez une image JPEG, PNG ou WebP." in page
    assert not Space.objects.filter(title="Aménagement du parc").exists()
