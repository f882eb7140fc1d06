"""A Sceaux with something in every dataset, an unpublished space whose data must never show, and the files
of the portal in the test's own folder."""

import pytest
from django.core.cache import cache
from django.utils import timezone

from concerto.components.events import services as event_services
from concerto.components.proposals import services as proposal_services
from concerto.components.reports import services as report_services
from concerto.components.reports.models import Category
from concerto.core.opendata import files
from concerto.testing import ComponentFactory, SpaceFactory, StepFactory, UserFactory

SCEAUX_POINT = (48.7745, 2.2990)
SECRET_EMAIL = "zoe.secrete@example.org"
SECRET_NAME = "Zoé Secrète"
UNPUBLISHED_TITLE = "Idée d'un espace pas encore publié"


def _square(lat, lon, half=0.01):
    return {"type": "Polygon", "coordinates": [[[lon - half, lat - half], [lon + half, lat - half],
                                                [lon + half, lat + half], [lon - half, lat + half],
                                                [lon - half, lat - half]]]}


@pytest.fixture(autouse=True)
def _opendata_files(settings, tmp_path):
    settings.CONCERTO_PRIVATE_ROOT = tmp_path / "private"
    cache.delete(files.CATALOGUE_CACHE_KEY)
    yield
    cache.delete(files.CATALOGUE_CACHE_KEY)


@pytest.fixture
def secret_person(sceaux):
    return UserFactory(email=SECRET_EMAIL, display_name=SECRET_NAME, residence=sceaux)


@pytest.fixture
def portal(sceaux, secret_person):
    """Sceaux's published space with proposals, events and reports; an unpublished one with a proposal."""
    sceaux.boundary = _square(*SCEAUX_POINT)
    sceaux.save()
    space = SpaceFactory(organisation=sceaux, slug="ville-ouverte", title="Ville ouverte")
    StepFactory(space=space)
    proposals = ComponentFactory(space=space, kind="proposals", title="Idées")
    proposal_services.proposal_create(
        author=secret_person, component=proposals, title="Un verger partagé", text="Des pommiers au parc.",
        point=SCEAUX_POINT)
    events = ComponentFactory(space=space, kind="events", title="Rencontres")
    start = timezone.now() + timezone.timedelta(days=3)
    event = event_services.event_create(
        actor=None, component=events, title="Balade au parc", starts_at=start,
        ends_at=start + timezone.timedelta(hours=2), place_name="Parc de Sceaux", address="Avenue du Parc",
        point=SCEAUX_POINT)
    event_services.event_publish(actor=None, event=event)
    reports = ComponentFactory(space=space, kind="reports", title="Signaler")
    category = Category.objects.create(organisation=sceaux, code="eclairage", name="Éclairage public")
    report_services.report_create(author=secret_person, component=reports, category=category, kind="malfunction",
                                  latitude=SCEAUX_POINT[0], longitude=SCEAUX_POINT[1],
                                  description="Le lampadaire est éteint.", email=SECRET_EMAIL)
    hidden = SpaceFactory(organisation=sceaux, slug="pas-encore", title="Pas encore", status="draft",
                          published_at=None)
    StepFactory(space=hidden)
    hidden_proposals = ComponentFactory(space=hidden, kind="proposals", title="Idées cachées")
    hidden_events = ComponentFactory(space=hidden, kind="polls", title="Sondages cachés")
    proposal_services.proposal_create(author=secret_person, component=hidden_proposals, title=UNPUBLISHED_TITLE,
                                      text="Rien à voir.")
    return {"space": space, "proposals": proposals, "events": events, "reports": reports, "hidden": hidden,
            "hidden_polls": hidden_events}
