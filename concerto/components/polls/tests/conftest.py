import pytest

from concerto.components.polls import services
from concerto.testing import ComponentFactory


@pytest.fixture
def polls(space):
    return ComponentFactory(space=space, kind="polls", title="Sondages express", published=True)


@pytest.fixture
def poll(polls, agent):
    """An open single-choice poll of Sceaux, results after answering."""
    return services.poll_create(actor=agent, component=polls,
                                question="Faut-il piétonniser la rue Houdan le dimanche ?",
                                choices=["Oui", "Non", "Sans avis"], publish=True)


@pytest.fixture
def why_poll(polls, agent):
    """An open multiple-choice poll that asks why (required), results only at the close."""
    return services.poll_create(actor=agent, component=polls, question="Quels équipements pour le parc ?",
                                choices=["Bancs", "Fontaine", "Jeux", "Toilettes"], multiple=True,
                                why="required", results="at_close", publish=True)


def choice_ids(poll, *labels):
    return [choice.pk for choice in poll.choices.all() if choice.label in labels]
