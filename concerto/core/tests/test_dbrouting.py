"""The database router: lag-tolerant reads to the replica, everything else to the primary, the replica left
aside when it is down. The `replica` alias points at the test database itself (as `TEST: {"MIRROR": ...}`
does), so what each request read where can be counted."""

import logging
import socket
import types

import pytest
from django.core import checks
from django.db import OperationalError, connections, transaction
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext

from concerto.core import dbrouting, deployment
from concerto.core.accounts.models import User
from concerto.testing import needs_postgresql

router = dbrouting.ReplicaRouter()


@pytest.fixture
def replica(django_db_blocker):
    """A `replica` alias on the test database, as DATABASE_REPLICA_URL would add one."""
    connections.settings[dbrouting.REPLICA] = {**connections["default"].settings_dict,
                                               "TEST": {"MIRROR": "default"}}
    dbrouting.replica_mark_up()
    connection = connections[dbrouting.REPLICA]
    # Django's test case forbids connecting to an alias it was not told of when the test started.
    connection.ensure_connection = types.MethodType(django_db_blocker._real_ensure_connection, connection)
    yield connection
    connections[dbrouting.REPLICA].close()
    del connections[dbrouting.REPLICA]
    del connections.settings[dbrouting.REPLICA]
    dbrouting.replica_mark_up()


SECOND_CONNECTION = "a second connection to the test database needs PostgreSQL (SQLite's is in memory)"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_without_a_replica_every_read_goes_to_the_primary():
    with dbrouting.replica_reads():
        assert router.db_for_read(User) == "default"


def test_lag_tolerant_reads_go_to_the_replica_and_writes_to_the_primary(replica):
    assert router.db_for_read(User) == "default"
    with dbrouting.replica_reads():
        assert router.db_for_read(User) == "replica"
        assert router.db_for_write(User) == "default"
        with dbrouting.replica_reads(False):
            assert router.db_for_read(User) == "default"
    assert router.db_for_read(User) == "default"


def test_migrations_run_on_the_primary_only(replica):
    assert router.allow_migrate("default", "accounts", "user")
    assert not router.allow_migrate("replica", "accounts", "user")


@pytest.mark.django_db
def test_reads_inside_a_transaction_stay_on_the_primary(replica):
    with dbrouting.replica_reads(), transaction.atomic():
        assert router.db_for_read(User) == "default"


def test_a_replica_marked_down_is_left_aside_then_tried_again(replica, settings):
    settings.CONCERTO_REPLICA_RETRY_SECONDS = 60
    dbrouting.replica_mark_down(ConnectionError("test"))
    with dbrouting.replica_reads():
        assert router.db_for_read(User) == "default"
        dbrouting.replica_mark_up()
        assert router.db_for_read(User) == "replica"


def test_primary_reads_decorator_keeps_a_view_on_the_primary(replica):
    seen = []
    view = dbrouting.primary_reads(lambda request: seen.append(router.db_for_read(User)))
    with dbrouting.replica_reads():
        view(None)
    assert seen == ["default"]


# Through the middleware, on PostgreSQL (a second connection to an in-memory SQLite is another database).

def replica_queries(client, method, url, **extra) -> tuple[int, object]:
    with CaptureQueriesContext(connections["replica"]) as queries:
        response = getattr(client, method)(url, **extra)
    return len(queries), response


@pytest.mark.django_db(transaction=True)
def test_an_anonymous_visitor_reads_public_pages_from_the_replica(replica, client):
    needs_postgresql(SECOND_CONNECTION)
    count, response = replica_queries(client, "get", "/sceaux/")
    assert response.status_code == 200
    assert count > 0


@pytest.mark.django_db(transaction=True)
def test_a_signed_in_person_and_an_api_client_read_from_the_primary(replica, client, resident):
    needs_postgresql(SECOND_CONNECTION)
    count, response = replica_queries(client, "get", "/sceaux/", HTTP_AUTHORIZATION="Bearer cct_whatever")
    assert count == 0
    client.force_login(resident)
    count, response = replica_queries(client, "get", "/sceaux/")
    assert response.status_code == 200
    assert count == 0


@pytest.mark.django_db(transaction=True)
def test_after_its_own_write_a_client_reads_from_the_primary(replica, client, settings):
    needs_postgresql(SECOND_CONNECTION)
    settings.CONCERTO_REPLICA_STICKY_SECONDS = 15
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    cookie = response.cookies[dbrouting.PRIMARY_COOKIE]
    assert cookie["max-age"] == 15 and cookie["httponly"]
    count, response = replica_queries(client, "get", "/sceaux/")
    assert response.status_code == 200
    assert count == 0
    # Once the cookie has expired, the replica serves this client again.
    del client.cookies[dbrouting.PRIMARY_COOKIE]
    count, _ = replica_queries(client, "get", "/sceaux/")
    assert count > 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("url", ["/", "/sceaux/", "/communes/?q=sce"])
def test_pages_keep_answering_from_the_primary_when_the_replica_is_down(replica, client, url, caplog):
    needs_postgresql(SECOND_CONNECTION)
    replica.close()
    replica.settings_dict["PORT"] = closed_port()
    with caplog.at_level(logging.WARNING, logger="concerto.dbrouting"):
        response = client.get(url)
    assert response.status_code == 200
    assert "Replica unreachable" in caplog.text
    # Left aside: the next request does not try it again.
    with dbrouting.replica_reads():
        assert router.db_for_read(User) == "default"


@pytest.mark.django_db(transaction=True)
def test_a_replica_killed_between_requests_is_found_before_the_next_one_reads(replica, client):
    needs_postgresql(SECOND_CONNECTION)
    replica.settings_dict["CONN_MAX_AGE"] = 600
    replica.settings_dict["CONN_HEALTH_CHECKS"] = True
    assert client.get("/sceaux/").status_code == 200
    assert replica.connection is not None
    # The replica goes away: its kept connection is cut and it accepts no new one.
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [replica.connection.info.backend_pid])
    replica.settings_dict["PORT"] = closed_port()
    # What request_started does on a server (the test client leaves connections alone between requests).
    replica.close_if_unusable_or_obsolete()
    response = client.get("/sceaux/")
    assert response.status_code == 200
    assert not dbrouting.replica_available()


@pytest.mark.django_db(transaction=True)
def test_a_replica_failing_during_the_view_is_replaced_by_the_primary(replica, rf):
    """The view's read on the replica fails: the request is served again from the primary."""
    needs_postgresql(SECOND_CONNECTION)
    from django.urls import resolve

    from concerto.core.territory.models import Organisation

    seen = []

    def view(request, **kwargs):
        seen.append(router.db_for_read(Organisation))
        return HttpResponse(Organisation.objects.get(slug="sceaux").name)

    request = rf.get("/sceaux/")
    request.lag_tolerant = True
    request.resolver_match = resolve("/sceaux/")
    request.resolver_match.func = view
    replica.close()
    replica.settings_dict["PORT"] = closed_port()
    middleware = dbrouting.ReplicaReadsMiddleware(lambda request: None)
    with dbrouting.replica_reads():
        with pytest.raises(OperationalError) as failure:
            view(request)
        response = middleware.process_exception(request, failure.value)
    assert response.status_code == 200 and response.content.decode() == "Sceaux"
    assert seen == ["replica", "default"]
    assert not dbrouting.replica_available()
    # An error that is not the replica's is left to the usual handling.
    dbrouting.replica_mark_up()
    replica.settings_dict["PORT"] = connections["default"].settings_dict["PORT"]
    assert middleware.process_exception(request, OperationalError("a primary's error")) is None


@pytest.mark.django_db(transaction=True)
def test_a_replica_dying_during_a_middleware_read_is_replaced_by_the_primary(replica, monkeypatch):
    """Killed between the middleware's check and the organisation's lookup (OrganisationMiddleware.process_view,
    outside the view): the request is served again, whole, from the primary."""
    needs_postgresql(SECOND_CONNECTION)
    monkeypatch.setattr(dbrouting, "replica_ready", lambda: True)  # the check passed just before the kill
    replica.close()
    replica.settings_dict["PORT"] = closed_port()
    client = Client(raise_request_exception=False)
    response = client.get("/sceaux/")
    assert response.status_code == 200
    assert not dbrouting.replica_available()


# The warning about limits kept per process.

def test_production_without_redis_warns_in_check_deploy_and_at_start(settings, caplog):
    settings.DEBUG = False
    settings.REDIS_URL = ""
    messages = deployment.check_shared_state()
    assert [message.id for message in messages] == ["concerto.W001"]
    assert "send limits" in messages[0].msg
    assert "concerto.W001" in {m.id for m in checks.run_checks(include_deployment_checks=True)}
    with caplog.at_level(logging.WARNING, logger="concerto.deployment"):
        deployment.warn_at_start()
    assert "per process" in caplog.text


def test_no_warning_with_redis_or_in_development(settings, caplog):
    settings.DEBUG = False
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    assert deployment.check_shared_state() == []
    settings.DEBUG = True
    settings.REDIS_URL = ""
    assert deployment.check_shared_state() == []
    with caplog.at_level(logging.WARNING, logger="concerto.deployment"):
        deployment.warn_at_start()
    assert caplog.text == ""
