"""A proposals component of Sceaux with a proposal, for the tests of what residents contribute after a scan or on
behalf of an actor (through the proposals' pages and comments)."""

import pytest

from concerto.components.proposals import services as proposals
from concerto.testing import ComponentFactory


@pytest.fixture
def ideas(space, step):
    return ComponentFactory(space=space, kind="proposals", title="Idées pour Sceaux")


@pytest.fixture
def category(ideas, agent):
    return proposals.category_create(actor=agent, component=ideas, name="Nature en ville")


@pytest.fixture
def proposal(ideas, author, category):
    return proposals.proposal_create(author=author, component=ideas, title="Des arbres fruitiers dans les écoles",
                                     text="Des pommiers dans chaque cour.", category=category)
