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
def agent(db, sceaux):
    return testing.persona("agent@sceaux.example.org", role="agent", organisation=sceaux,
                           display_name="Agent de Sceaux")


@pytest.fixture
def admin_sceaux(db, sceaux):
    return testing.persona("admin@sceaux.example.org", role="admin", organisation=sceaux,
                           display_name="Administratrice de Sceaux")


@pytest.fixture
def elected(db, sceaux):
    return testing.persona("elu@sceaux.example.org", role="elected", organisation=sceaux,
                           display_name="Élue de Sceaux")


@pytest.fixture
def moderator(db, sceaux):
    return testing.persona("moderation@sceaux.example.org", role="moderator", organisation=sceaux,
                           display_name="Modérateur de Sceaux")


@pytest.fixture
def metropole_admin(db, metropole):
    return testing.persona("admin@metropole.example.org", role="admin", organisation=metropole,
                           display_name="Administrateur de la Métropole")


@pytest.fixture
def outsider(db, montreuil):
    return testing.persona("agent@montreuil.example.org", role="agent", organisation=montreuil,
                           display_name="Agent de Montreuil")


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
