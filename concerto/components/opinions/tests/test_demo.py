"""The demo's debate in Montreuil's local-plan space has opinion groups, consensus and a readable results page."""

import time

import pytest

from concerto import testing
from concerto.components.opinions.demo import demo_load
from concerto.components.opinions.models import GroupsResult

pytestmark = pytest.mark.django_db


def test_the_montreuil_debate_shows_groups(client, montreuil):
    agent = testing.persona("agent@montreuil.example.org", role="agent", organisation=montreuil)
    space = testing.SpaceFactory(organisation=montreuil, slug="plan-local-urbanisme", title="Révision du PLU")
    started = time.perf_counter()
    conversation = demo_load(actor=agent, space=space)
    elapsed = time.perf_counter() - started
    result = GroupsResult.objects.get(conversation=conversation)
    assert 2 <= result.k <= 4, result.reason
    assert result.data["consensus"] and all(result.data["representative"].values())
    assert 12 <= conversation.statements.count() <= 20
    assert elapsed < 10  # < 3 s on an idle machine; the margin is for a loaded one
    page = client.get(conversation.get_results_url()).content.decode()
    assert "Groupe A" in page and "Groupe B" in page and "Ce qui rassemble tout le monde" in page
