import io

import pytest
from PIL import Image

from concerto.components.proposals import services
from concerto.testing import ComponentFactory, SpaceFactory, StepFactory, UserFactory

# A point in Sceaux (the Parc de Sceaux); tests that need a commune lookup import boundaries themselves.
SCEAUX_POINT = (48.7745, 2.2990)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def space(sceaux):
    return SpaceFactory(organisation=sceaux, slug="budget-2026", title="Budget participatif 2026 de Sceaux")


@pytest.fixture
def step(space):
    return StepFactory(space=space, title="Dépôt des idées")


@pytest.fixture
def proposals(space, step):
    return ComponentFactory(space=space, kind="proposals", title="Idées pour Sceaux")


@pytest.fixture
def category(proposals, agent):
    return services.category_create(actor=agent, component=proposals, name="Nature en ville")


@pytest.fixture
def author(db, sceaux):
    return UserFactory(email="auteur@example.org", display_name="Alex Dupont", residence=sceaux)


@pytest.fixture
def proposal(proposals, author, category):
    return services.proposal_create(
        author=author, component=proposals, title="Planter des arbres fruitiers dans les écoles",
        text="Des pommiers et des poiriers dans chaque cour d'école.", category=category)


def configure(component, *, step=None, **values):
    """Set global settings (and, with STEP, that step's settings) of COMPONENT through the manifest."""
    manifest = component.manifest
    if step is None:
        component.settings = manifest.clean_settings({**manifest.settings_for(component), **values})
    else:
        current = manifest.step_settings_for(component, step)
        component.step_settings = {**component.step_settings,
                                   str(step.pk): manifest.clean_step_settings({**current, **values})}
    component.save()
    return component


def image_bytes(fmt: str = "PNG", size=(20, 10)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 160, 60)).save(buffer, fmt)
    return buffer.getvalue()
