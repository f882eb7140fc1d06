"""The quick polls' part of the commune's dialogue figures (kernel hook `dialogue`): answers by channel, another
commune's answers not counted, a draft poll's neither."""

import pytest
from django.test import Client

from concerto import testing
from concerto.components.polls import services
from concerto.components.polls.tests.conftest import choice_ids
from concerto.core.participation.dialogue import dialogue_for
from concerto.core.participation.tests.test_overview import testing_french
from concerto.testing import ComponentFactory, SpaceFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_poll_answers_by_channel_count_the_commune_s_polls_only(poll, sceaux, montreuil, agent, outsider):
    for n, channel in enumerate(("web", "web", "api", "chatbot")):
        services.poll_answer(poll=poll, user=UserFactory(email=f"r{n}@example.org", residence=sceaux),
                             choices=choice_ids(poll, "Oui"), channel=channel)
    far = ComponentFactory(space=SpaceFactory(organisation=montreuil, slug="m"), kind="polls", published=True)
    far_poll = services.poll_create(actor=outsider, component=far, question="Un marché ?", choices=["Oui", "Non"],
                                    publish=True)
    services.poll_answer(poll=far_poll, user=UserFactory(email="m@example.org", residence=montreuil),
                         choices=choice_ids(far_poll, "Non"), channel="web")
    with testing_french():
        chart = next(c for c in dialogue_for(organisation=sceaux).charts
                     if c.title == "Réponses aux sondages express par canal")
        assert chart.rows == [("Site web", 2), ("API", 1), ("Assistant conversationnel", 1)]
    client = Client()
    testing.login_with_mfa(client, agent)
    csv = client.get("/gestion/sceaux/participation/dialogue/export.csv").content.decode("utf-8-sig")
    assert "Réponses aux sondages express par canal,Site web,2" in csv
    assert "Réponses aux sondages express par canal,API,1" in csv
