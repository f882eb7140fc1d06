import io

import pytest
from django.core.management import call_command
from PIL import Image

from concerto.components.news import services
from concerto.testing import ComponentFactory, SpaceFactory, StepFactory


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def run_task_worker(monkeypatch):
    """Run the real database task worker until the queue is empty, inside the test's transaction.

    The worker recycles database connections between tasks, which would close the test transaction
    on PostgreSQL; that recycling is switched off here.
    """
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)

    def run():
        call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)

    return run


@pytest.fixture
def space(sceaux):
    return SpaceFactory(organisation=sceaux, slug="budget-2026", title="Budget participatif 2026 de Sceaux")


@pytest.fixture
def step(space):
    return StepFactory(space=space, title="Dépôt des idées")


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


def image_bytes(fmt: str = "PNG", size=(20, 10)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, fmt)
    return buffer.getvalue()
