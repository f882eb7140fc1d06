import pytest

from concerto.components.questions import services
from concerto.core.participation.services import moderation_dismiss
from concerto.testing import ComponentFactory, UserFactory


@pytest.fixture
def questions(space, step):
    component = ComponentFactory(space=space, kind="questions", title="Questions aux élus")
    component.settings = {"support_threshold": 2, "answer_days": 30, "reminder_days": 7}
    component.save()
    return component


@pytest.fixture
def profile(elected, sceaux, agent):
    return services.official_profile_save(actor=agent, organisation=sceaux, user=elected, name="Claire Dubois",
                                          mandate="Adjointe au maire", delegations="Mobilités\nClimat")


@pytest.fixture
def asked(questions, resident, profile):
    """A question waiting for the moderators."""
    return services.question_ask(author=resident, component=questions, addressee=profile,
                                 title="Quand la piste cyclable de l'avenue sera-t-elle finie ?",
                                 text="Les travaux sont arrêtés depuis juin.")


@pytest.fixture
def published(asked, moderator):
    """The question, kept by a moderator in the kernel's queue."""
    moderation_dismiss(moderator=moderator, content=asked)
    asked.refresh_from_db()
    return asked


def supporters(n: int, start: int = 0):
    return [UserFactory(email=f"soutien{i}@example.org") for i in range(start, start + n)]


@pytest.fixture
def committed(published):
    """The question past its threshold (2 supports): the commune committed to answer."""
    for user in supporters(2):
        services.question_support(user=user, question=published)
    published.refresh_from_db()
    return published
