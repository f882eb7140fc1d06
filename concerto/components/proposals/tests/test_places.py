"""Where a proposal is, in words: the agent's page has the address and a small map; no page shows coordinates."""

import pytest

from concerto.components.proposals.models import Proposal
from concerto.components.proposals.tests.test_backoffice import _url
from concerto.testing import commune

pytestmark = pytest.mark.django_db


def _place(proposal, address=""):
    Proposal.objects.filter(pk=proposal.pk).update(latitude=48.77803, longitude=2.29019, address=address,
                                                   commune=commune("sceaux"))


def test_the_agents_proposal_page_shows_the_address_and_a_small_map(staff_client, agent, proposals, proposal):
    _place(proposal, "12 Rue Houdan 92330 Sceaux")

    page = staff_client(agent).get(_url(proposals, "answer", proposal.pk), HTTP_ACCEPT_LANGUAGE="fr")

    html = page.content.decode()
    assert '<p class="place">12 Rue Houdan 92330 Sceaux</p>' in html
    assert 'aria-label="Carte du lieu"' in html and 'data-point-title="12 Rue Houdan 92330 Sceaux"' in html
    assert "Latitude" not in html and "latitude 48" not in html


def test_without_an_address_the_pages_name_the_commune_never_coordinates(staff_client, agent, client, proposals,
                                                                          proposal):
    _place(proposal)

    agent_page = staff_client(agent).get(_url(proposals, "answer", proposal.pk), HTTP_ACCEPT_LANGUAGE="fr")
    public_page = client.get(proposal.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fr")

    for html in (agent_page.content.decode(), public_page.content.decode()):
        assert '<p class="place">Sceaux\u00a0: le lieu exact est sur la carte</p>' in html
        assert "latitude 48" not in html.lower()
