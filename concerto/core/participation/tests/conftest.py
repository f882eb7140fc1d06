import pytest


# News posts are the commented objects of these tests: news opts in to comments (comments_enabled,
# comments_open), as a proposal will. They are in the root conftest's `space`.
@pytest.fixture
def news(space):
    from concerto.testing import ComponentFactory

    return ComponentFactory(space=space, kind="news", title="Actualités du jardin")


@pytest.fixture
def post(news, agent):
    from concerto.components.news.services import post_create

    return post_create(author=agent, component=news, title="Premier atelier samedi",
                       body="Rendez-vous à la Ménagerie.", publish=True)


@pytest.fixture
def other_post(news, agent):
    from concerto.components.news.services import post_create

    return post_create(author=agent, component=news, title="Deuxième atelier", body="Le mardi suivant.",
                       publish=True)


@pytest.fixture
def neighbour(db):
    from concerto.testing import persona

    return persona("voisin@example.org", display_name="Jean Voisin")


@pytest.fixture
def with_stances(monkeypatch):
    """News posts do not offer stances; proposals will (`comment_stances = True` on their model).
    These tests switch it on for news posts, the same class attribute a proposal sets."""
    from concerto.components.news.models import Post

    monkeypatch.setattr(Post, "comment_stances", True, raising=False)
