"""Shared by the reports tests: small squares as two communes' outlines, so that a point finds its commune."""

import pytest

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
