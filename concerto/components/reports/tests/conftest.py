"""Shared by the reports tests: small squares as two communes' outlines, so that a point finds its commune."""

import pytest

from concerto.components.reports.models import Category
from concerto.testing import ComponentFactory, SpaceFactory

SCEAUX_POINT = (48.7745, 2.2990)  # (lat, long), in the Parc de Sceaux
MONTREUIL_POINT = (48.8610, 2.4430)


def _square(lat, lon, half=0.01):
    return {"type": "Polygon", "coordinates": [[[lon - half, lat - half], [lon + half, lat - half],
                                                [lon + half, lat + half], [lon - half, lat + half],
                                                [lon - half, lat - half]]]}


@pytest.fixture
def places(sceaux, montreuil):
    """Small squares as the two communes' outlines: enough for the point -> commune checks, and fast. (The root
    conftest clears the point -> commune index around each test.)"""
    sceaux.boundary = _square(*SCEAUX_POINT)
    sceaux.save()
    montreuil.boundary = _square(*MONTREUIL_POINT)
    montreuil.save()
    return sceaux, montreuil


# The resident's form (test_reporting, test_addresses, test_similar_reports): a reports component of Sceaux, with
# every commune's outline, and a category of each commune.
@pytest.fixture
def component(sceaux, boundaries):
    space = SpaceFactory(organisation=sceaux, slug="ma-ville", title="Ma ville")
    return ComponentFactory(space=space, kind="reports", title="Signaler un problème")


@pytest.fixture
def lighting(sceaux):
    return Category.objects.create(organisation=sceaux, code="eclairage", name="Éclairage public")


@pytest.fixture
def montreuil_roads(montreuil):
    return Category.objects.create(organisation=montreuil, code="voirie", name="Voirie de Montreuil")
