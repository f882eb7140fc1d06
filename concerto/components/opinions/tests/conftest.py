from datetime import timedelta

import pytest
from django.utils import timezone

from concerto.components.opinions.models import Conversation, Statement
from concerto.testing import ComponentFactory

TEXTS = ("Piétonniser la rue Houdan le dimanche.", "Planter des arbres devant chaque école.",
         "Ouvrir les cours d’école le samedi.")


@pytest.fixture
def debates(space):
    return ComponentFactory(space=space, kind="opinions", title="Débats", published=True)


@pytest.fixture
def debate(debates):
    """A published debate of Sceaux open to anyone, moderated before publication, with three accepted statements."""
    conversation = Conversation.objects.create(
        component=debates, question="Comment rendre le centre-ville plus agréable ?", published_at=timezone.now(),
        audience=Conversation.Audience.ANYONE, opens_at=timezone.now() - timedelta(days=1))
    for text in TEXTS:
        Statement.objects.create(conversation=conversation, text=text, status=Statement.Status.ACCEPTED, seed=True)
    return conversation
