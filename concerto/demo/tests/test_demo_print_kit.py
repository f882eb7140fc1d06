"""The demo has a print kit: Montreuil's PLU poster, whose short link leads to the space and has scans to show."""

import pytest
from django.core.management import call_command

from concerto.core.mobilisation import kits
from concerto.core.mobilisation.models import PrintKit

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_poster_for_montreuil_s_plu_with_scans(client):
    call_command("load_demo", verbosity=0)
    kit = PrintKit.objects.get(organisation__slug="montreuil")
    response = client.get(f"/l/{kit.link.code}")
    assert response.status_code == 302 and response["Location"].startswith("/montreuil/")
    (_kit, total, recent, _contributions, _people), = kits.kits_with_visits(kit.organisation)
    assert total == 24 and recent == 21  # the 23 scans of the demo and this one; 3 of them older than 30 days
    call_command("load_demo", verbosity=0)  # safe to run again: still one poster
    assert PrintKit.objects.filter(organisation__slug="montreuil").count() == 1
