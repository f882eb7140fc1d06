
import pytest

from concerto.components.proposals import services
from concerto.testing import ComponentFactory

# Imported by name by the tests of this folder.
from concerto.testing import configure as configure
from concerto.testing import image_bytes as image_bytes

# A point in Sceaux (the Parc de Sceaux); tests that need a commune lookup import boundaries themselves.
SCEAUX_POINT = (48.7745, 2.2990)


@pytest.fixture
def proposals(space, step):
    return ComponentFactory(space=space, kind="proposals", title="Idées pour Sceaux")


@pytest.fixture
def category(proposals, agent):
    return services.category_create(actor=agent, component=proposals, name="Nature en ville")


@pytest.fixture
def proposal(proposals, author, category):
    return services.proposal_create(
        author=author, component=proposals, title="Planter des arbres fruitiers dans les écoles",
        text="Des pommiers et des poiriers dans chaque cour d'école.", category=category)
