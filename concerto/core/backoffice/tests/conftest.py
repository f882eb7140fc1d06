import pytest

from concerto.testing import ComponentFactory, SpaceFactory, StepFactory


@pytest.fixture
def sceaux_space(sceaux):
    """A published space of Sceaux with one step and a news component."""
    space = SpaceFactory(organisation=sceaux, slug="budget", title="Budget participatif")
    StepFactory(space=space, title="Dépôt des idées")
    ComponentFactory(space=space, kind="news", title="Actualités du budget")
    return space
