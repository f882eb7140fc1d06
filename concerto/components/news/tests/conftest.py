
import pytest

from concerto.components.news import services
from concerto.testing import ComponentFactory

# Imported by name by the tests of this folder.
from concerto.testing import image_bytes as image_bytes


@pytest.fixture
def news(space):
    return ComponentFactory(space=space, kind="news", title="Actualités du budget")


@pytest.fixture
def published_post(news, agent):
    return services.post_create(author=agent, component=news, title="Les ateliers commencent",
                                body="Rendez-vous samedi à la mairie.", summary="Premier atelier samedi.",
                                publish=True)


@pytest.fixture
def draft_post(news, agent):
    return services.post_create(author=agent, component=news, title="Résultats à venir",
                                body="Texte pas encore relu.")
