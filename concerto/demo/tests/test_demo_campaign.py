"""The demo has a sent campaign: Montreuil invited the 15-29 year-olds who asked for invitations to take part, with
figures to show; loading the demo twice keeps one."""

import pytest
from django.core.management import call_command

from concerto.core.mobilisation import campaigns
from concerto.core.mobilisation.models import Campaign

pytestmark = pytest.mark.django_db


def test_the_demo_has_montreuil_s_campaign_to_the_young_with_its_figures(client):
    call_command("load_demo", verbosity=0)
    campaign = Campaign.objects.get(organisation__slug="montreuil")
    assert campaign.status == Campaign.Status.SENT and campaign.segment == {"age_band": "15-29"}
    figures = campaigns.campaign_figures(campaign)
    assert (figures["recipients"], figures["sent"], figures["opens"], figures["visits"]) == (3, 3, 2, 2)
    assert client.get(f"/l/{campaign.link.code}")["Location"] == campaign.space.get_absolute_url()
    call_command("load_demo", verbosity=0)
    assert Campaign.objects.filter(organisation__slug="montreuil").count() == 1
