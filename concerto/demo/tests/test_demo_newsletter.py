"""The demo's newsletter: Sceaux sent one, with blocks and figures, shown in its public archive."""

import pytest
from django.core.management import call_command

from concerto.core.participation.models import Newsletter

pytestmark = pytest.mark.django_db


def test_sceaux_has_a_sent_newsletter_in_its_archive(client):
    call_command("load_demo", verbosity=0)
    newsletter = Newsletter.objects.get(organisation__slug="sceaux")
    assert newsletter.status == Newsletter.Status.SENT and newsletter.recipients >= 1
    assert {block["kind"] for block in newsletter.blocks} >= {"space", "polls"}
    assert newsletter.opens > 0 and sum(link.clicks for link in newsletter.links.all()) > 0
    archive = client.get("/sceaux/lettres/").content.decode()
    assert newsletter.subject in archive
    page = client.get(newsletter.get_absolute_url()).content.decode()
    assert "budget participatif 2026" in page
    call_command("load_demo", verbosity=0)  # loading again adds nothing
    assert Newsletter.objects.filter(organisation__slug="sceaux").count() == 1
