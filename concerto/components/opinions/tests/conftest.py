from datetime import timedelta

import pytest
from django.utils import timezone

from concerto.components.opinions import moderation
from concerto.components.opinions.models import Conversation, Statement
from concerto.testing import ComponentFactory, UserFactory

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


SEEDS = ["Il faut piétonniser la rue Houdan le dimanche.", "Les vélos doivent avoir leur propre voie.",
         "Le marché doit rester sur la place.", "Il faut plus de bancs.", "Les voitures doivent rouler à 20 km/h."]


@pytest.fixture
def opinions(space):
    return ComponentFactory(space=space, kind="opinions", title="Débat du centre-ville", published=True)


@pytest.fixture
def seeded(opinions, agent):
    """A published, open debate of Sceaux with five seed statements, statements moderated before publication."""
    return moderation.conversation_create(actor=agent, component=opinions, question="Que faire du centre-ville ?",
                                          seeds=SEEDS, publish=True)


def voters(debate, count: int, *, seed: int = 0):
    """COUNT residents who voted on every seed statement in two camps (half agree with the first statements and
    disagree with the rest, half the other way round), with a little noise."""
    from concerto.components.opinions.models import Statement, Vote

    statements = list(debate.statements.filter(status=Statement.Status.ACCEPTED).order_by("pk"))
    people = []
    votes = []
    for n in range(count):
        user = UserFactory()
        people.append(user)
        for index, statement in enumerate(statements):
            value = 1 if (index < 2) == (n % 2 == 0) else -1
            if (n * 7 + index + seed) % 11 == 0:
                value = 0
            votes.append(Vote(statement=statement, participant=f"u{user.pk}", user=user, value=value))
    Vote.objects.bulk_create(votes)
    return people
