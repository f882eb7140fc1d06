"""Fixtures for every test: the Métropole's organisations and the named personas.

Personas: a resident of Sceaux, Sceaux's agent, elected official and moderator, a Métropole
administrator, and the outsider, an agent of Montreuil (another commune, another territory).
"""

from pathlib import Path

import pytest
from django.core.management import call_command

from concerto import testing


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """After migrating the test database, load the real organisations tree once for the session."""
    with django_db_blocker.unblock():
        call_command("load_organisations", verbosity=0)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """PBKDF2 costs ~0.9 s per persona; tests do not need a slow hash."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _tasks_run_immediately(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    """Send limits count in the cache, which outlives a test (and ids come back after a rollback on SQLite):
    they are off unless a test asks for them with the `rate_limits` fixture."""
    settings.CONCERTO_RATE_LIMITS_ENABLED = False


@pytest.fixture(autouse=True)
def _no_map_services(settings):
    """No test reaches the IGN Géoplateforme: outlines only, addresses off, unless a test starts the fakes
    (`geocoder`, or concerto.testing.fake_tiles)."""
    settings.CONCERTO_MAP_TILES_URL = "none"
    settings.CONCERTO_GEOCODER_URL = "none"


@pytest.fixture
def geocoder(settings):
    """A local Base Adresse Nationale (concerto.testing.fake_ban) behind CONCERTO_GEOCODER_URL, with an empty cache."""
    from django.core.cache import cache

    cache.clear()
    with testing.fake_ban() as fake:
        settings.CONCERTO_GEOCODER_URL = fake.url
        settings.CONCERTO_GEOCODER_TIMEOUT = 0.5
        yield fake
    cache.clear()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded files (photos, attachments, logos) go to the test's own folder, never to var/media."""
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
def rate_limits(settings):
    """Send limits on, with empty counts; set `settings.CONCERTO_RATE_LIMITS` to make one small."""
    from django.core.cache import cache

    settings.CONCERTO_RATE_LIMITS_ENABLED = True
    cache.clear()
    yield settings
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_point_lookup():
    """The point -> commune index lives in the process: a rolled-back import must not leak to the next test."""
    from concerto.core.territory import lookup

    lookup.index_clear()
    yield
    lookup.index_clear()


@pytest.fixture
def sceaux(db):
    return testing.commune("sceaux")


@pytest.fixture
def montreuil(db):
    return testing.commune("montreuil")


@pytest.fixture
def metropole(db):
    return testing.metropole()


@pytest.fixture
def resident(db, sceaux):
    return testing.persona("resident@example.org", display_name="Camille Martin", residence=sceaux)


@pytest.fixture
def author(db, sceaux):
    """Another resident of Sceaux, who submits proposals and projects."""
    return testing.UserFactory(email="auteur@example.org", display_name="Alex Dupont", residence=sceaux)


def _staff(name: str, email: str, role: str, organisation: str, display_name: str):
    """The fixture NAME: the persona EMAIL holding ROLE on the organisation of the fixture ORGANISATION."""

    @pytest.fixture(name=name)
    def staff(db, request):
        return testing.persona(email, role=role, organisation=request.getfixturevalue(organisation),
                               display_name=display_name)

    return staff


agent = _staff("agent", "agent@sceaux.example.org", "agent", "sceaux", "Agent de Sceaux")
admin_sceaux = _staff("admin_sceaux", "admin@sceaux.example.org", "admin", "sceaux", "Administratrice de Sceaux")
elected = _staff("elected", "elu@sceaux.example.org", "elected", "sceaux", "Élue de Sceaux")
moderator = _staff("moderator", "moderation@sceaux.example.org", "moderator", "sceaux", "Modérateur de Sceaux")
metropole_admin = _staff("metropole_admin", "admin@metropole.example.org", "admin", "metropole",
                         "Administrateur de la Métropole")
# The outsider: an agent of another commune, in another territory.
outsider = _staff("outsider", "agent@montreuil.example.org", "agent", "montreuil", "Agent de Montreuil")


@pytest.fixture
def space(sceaux):
    """A space of Sceaux for a component's tests, with `step`, its step under way."""
    return testing.SpaceFactory(organisation=sceaux, slug="budget-2026", title="Budget participatif 2026 de Sceaux")


@pytest.fixture
def step(space):
    return testing.StepFactory(space=space, title="Dépôt des idées")


@pytest.fixture
def staff_client(client):
    """A test client factory: `staff_client(user)` logs USER in with a second factor passed."""

    def login(user):
        testing.login_with_mfa(client, user)
        return client

    return login


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(
        (marker and marker.kwargs.get("transaction"))
        or {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
    )


def pytest_collection_modifyitems(config, items):
    """Run browser tests last: they use a live server, whose database is flushed after each test."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test ends with a flush of every table: put the organisations tree back."""
    yield
    # After the last test the test database is already gone: nothing to put back.
    if nextitem is not None and _is_transactional(item):
        from pytest_django.plugin import blocking_manager_key

        with item.session.config.stash[blocking_manager_key].unblock():
            call_command("load_organisations", verbosity=0)


# The communes' outlines of the reference data beside the project (../shared), for the tests of that data;
# they are skipped where it is absent.
SHARED_GEOJSON = testing.SHARED_DATA / "communes" / "mgp_communes_2026.geojson"


@pytest.fixture
def shared_geojson() -> Path:
    if not SHARED_GEOJSON.exists():
        pytest.skip(f"the shared reference data is absent ({SHARED_GEOJSON.resolve()})")
    return SHARED_GEOJSON


@pytest.fixture
def boundaries(db):
    """The 130 communes' boundaries, imported from the committed demo file: tests that need a point to find its
    commune always run."""
    testing.boundaries_import()


@pytest.fixture(autouse=True)
def _fresh_similar_indexes(settings):
    """Similar ideas' indexes live in the process and ids come back after a rollback on SQLite: each test starts
    without any, and the version of a scope is asked at every query."""
    from concerto.core.texts import similar

    settings.CONCERTO_SIMILAR_CHECK_SECONDS = 0
    similar.forget()
    yield
    similar.forget()


@pytest.fixture
def actor_member(db, sceaux, resident, agent):
    """Camille Martin (the resident), a confirmed member of Sceaux's association « Les Amis du Parc », who may
    contribute on its behalf (core/mobilisation/members.py)."""
    from concerto.core.mobilisation import members
    from concerto.core.mobilisation.models import Actor

    association = Actor.objects.create(organisation=sceaux, name="Les Amis du Parc", kind="association")
    invited = members.member_add(actor=agent, item=association, email=resident.email)
    return members.member_confirm(user=resident, member=invited)


@pytest.fixture
def foreign_actor(db, sceaux):
    """An association of Sceaux nobody in the tests is a member of."""
    from concerto.core.mobilisation.models import Actor

    return Actor.objects.create(organisation=sceaux, name="Le Club des Autres", kind="association")
