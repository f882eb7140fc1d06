"""Monitoring: the /sante/ health check, the Prometheus metrics at /metrics, the request id and the JSON logs."""

import json
import logging
from datetime import timedelta

import pytest
from django.db import OperationalError
from django.test import override_settings
from django.urls import path
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from concerto.core import health, logs

pytestmark = pytest.mark.django_db


def _queue_task(*, enqueued_ago: int, status="READY"):
    task = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}}, task_path="concerto.core.participation.notifications.mail_deliver",
        backend_name="default", run_after=health.get_date_max(), status=status)
    DBTaskResult.objects.filter(pk=task.pk).update(enqueued_at=timezone.now() - timedelta(seconds=enqueued_ago))
    return task


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


# /sante/ -----------------------------------------------------------------------------------------------

def test_health_answers_200_with_each_check_when_all_is_well(client, database_tasks, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        response = client.get("/sante/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "tasks"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["tasks"]["ready"] == 0
    assert response["Cache-Control"] == "no-store"


def test_health_sets_no_cookie_and_needs_no_login_even_with_a_session_cookie(client, resident, database_tasks):
    client.force_login(resident)
    response = client.get("/sante/")
    assert response.status_code == 200
    assert not response.cookies
    assert "X-Request-ID" not in response  # answered before the rest of the middleware


def test_health_is_503_when_the_oldest_ready_task_waits_too_long(client, settings, database_tasks):
    settings.CONCERTO_HEALTH_MAX_TASK_LAG = 60
    _queue_task(enqueued_ago=30)
    assert client.get("/sante/").status_code == 200
    _queue_task(enqueued_ago=600)
    response = client.get("/sante/")
    assert response.status_code == 503
    tasks = response.json()["checks"]["tasks"]
    assert tasks["ok"] is False and tasks["ready"] == 2 and tasks["oldest_seconds"] >= 600
    settings.CONCERTO_HEALTH_MAX_TASK_LAG = 0  # reported, not failed on
    response = client.get("/sante/")
    assert response.status_code == 200 and response.json()["checks"]["tasks"]["oldest_seconds"] >= 600


def test_health_ignores_finished_tasks_and_tasks_due_later(client, settings, database_tasks):
    settings.CONCERTO_HEALTH_MAX_TASK_LAG = 60
    _queue_task(enqueued_ago=3600, status="SUCCESSFUL")
    later = _queue_task(enqueued_ago=3600)
    DBTaskResult.objects.filter(pk=later.pk).update(run_after=timezone.now() + timedelta(minutes=5))
    response = client.get("/sante/")
    assert response.status_code == 200
    assert response.json()["checks"]["tasks"]["ready"] == 0


def test_health_counts_a_deferred_task_from_when_it_became_due(settings, database_tasks):
    task = _queue_task(enqueued_ago=3600)
    DBTaskResult.objects.filter(pk=task.pk).update(run_after=timezone.now() - timedelta(seconds=100))
    assert 100 <= health.task_lag()["oldest_seconds"] < 200


def test_health_is_503_with_the_failing_check_named_when_the_cache_fails(client, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(health.cache, "set", broken)
    response = client.get("/sante/")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == {"ok": False, "error": "ConnectionError",
                                                 "ms": response.json()["checks"]["cache"]["ms"]}
    assert response.json()["checks"]["database"]["ok"] is True


def test_health_is_503_when_the_database_fails(client, monkeypatch):
    def broken():
        raise OperationalError("connection refused")

    monkeypatch.setitem(health.CHECKS, "database", broken)
    response = client.get("/sante/")
    assert response.status_code == 503
    assert response.json()["checks"]["database"]["ok"] is False


def test_health_is_exempt_from_the_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/sante/").status_code == 200
    assert client.get("/pages/contact/").status_code == 301


# /metrics ----------------------------------------------------------------------------------------------

def test_metrics_are_a_404_until_configured(client):
    assert client.get("/metrics").status_code == 404


@override_settings(CONCERTO_METRICS_TOKEN="s3cret-token")
def test_metrics_need_the_bearer_token(client):
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")


@override_settings(CONCERTO_METRICS_ALLOWED_IPS=["10.0.0.9"])
def test_metrics_open_to_an_allowed_address_only(client):
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.8").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.9").status_code == 200


@override_settings(CONCERTO_METRICS_TOKEN="t0ken-for-tests")
def test_metrics_count_requests_by_route_and_read_the_queue_from_the_database(client, database_tasks):
    client.get("/pages/contact/")
    client.get("/pages/contact/")
    client.get("/a/b/c/d/e/f/g/")
    _queue_task(enqueued_ago=120)
    _queue_task(enqueued_ago=10, status="FAILED")
    text = client.get("/metrics", HTTP_AUTHORIZATION="Bearer t0ken-for-tests").content.decode()
    lines = text.splitlines()
    contact = [line for line in lines if line.startswith("concerto_http_requests_total{")
               and 'route="page_contact"' in line and 'status="200"' in line]
    assert contact and float(contact[0].rsplit(" ", 1)[1]) >= 2
    assert any('route="unmatched"' in line and 'status="404"' in line for line in lines)
    assert "/pages/contact/" not in text  # routes by name: no path, no ids
    assert 'concerto_http_request_duration_seconds_bucket{le="0.1",method="GET",route="page_contact"}' in text
    assert "concerto_tasks_ready 1.0" in lines
    oldest = next(line for line in lines if line.startswith("concerto_tasks_oldest_ready_seconds "))
    assert float(oldest.split()[1]) >= 120
    assert 'concerto_task_results{status="FAILED",task="mail_deliver"} 1.0' in lines
    assert "concerto_db_connection_errors_total" in text


@override_settings(CONCERTO_METRICS_TOKEN="t0ken-for-tests")
def test_metrics_count_ballots_by_channel_from_the_budgets_manifest(client):
    from concerto.components.budgets.models import Ballot
    from concerto.components.budgets.tests.test_ballots_setup import vote_setup

    _component, budget, _projects = vote_setup()
    Ballot.objects.create(budget=budget, voter_key="user:1", channel="web")
    Ballot.objects.create(budget=budget, voter_key="user:2", channel="paper")
    Ballot.objects.create(budget=budget, voter_key="user:3", channel="web")
    text = client.get("/metrics", HTTP_AUTHORIZATION="Bearer t0ken-for-tests").content.decode()
    assert 'concerto_ballots{channel="web"} 2.0' in text
    assert 'concerto_ballots{channel="paper"} 1.0' in text


# Request id and logs -----------------------------------------------------------------------------------

def test_every_response_carries_a_request_id_or_echoes_the_proxys(client):
    generated = client.get("/pages/contact/")["X-Request-ID"]
    assert len(generated) == 32
    assert client.get("/pages/contact/", HTTP_X_REQUEST_ID="lb-1234-abcd")["X-Request-ID"] == "lb-1234-abcd"
    # A header that could break a log line or a response header is replaced.
    assert client.get("/pages/contact/", HTTP_X_REQUEST_ID='x" y')["X-Request-ID"] != 'x" y'


def _json_lines(caplog_records):
    formatter, context = logs.JsonFormatter(), logs.RequestContextFilter()
    lines = []
    for record in caplog_records:
        context.filter(record)
        lines.append(json.loads(formatter.format(record)))
    return lines


def test_the_request_log_line_has_the_request_and_no_personal_data(client, resident, caplog):
    client.force_login(resident)
    with caplog.at_level(logging.INFO, logger="concerto.requests"):
        client.get("/pages/contact/?email=someone@example.org", HTTP_X_REQUEST_ID="req-0000-1111")
    [line] = _json_lines([r for r in caplog.records if r.name == "concerto.requests"])
    assert line["logger"] == "concerto.requests" and line["level"] == "INFO"
    assert line["request_id"] == "req-0000-1111"
    assert line["method"] == "GET" and line["path"] == "/pages/contact/" and line["status"] == 200
    assert line["user_id"] == resident.pk
    assert isinstance(line["duration_ms"], float)
    assert line["time"].endswith("+00:00")
    flat = json.dumps(line)
    assert resident.email not in flat and "someone@example.org" not in flat and "client_ip" not in flat


def test_the_client_address_is_logged_only_when_a_setting_says_so(client, settings, caplog):
    settings.CONCERTO_LOG_CLIENT_IP = True
    with caplog.at_level(logging.INFO, logger="concerto.requests"):
        client.get("/pages/contact/", REMOTE_ADDR="192.0.2.7")
    [line] = _json_lines([r for r in caplog.records if r.name == "concerto.requests"])
    assert line["client_ip"] == "192.0.2.7"


def _broken_view(request):
    raise RuntimeError("boom")


urlpatterns = [path("casse/", _broken_view, name="broken")]


@pytest.mark.urls(__name__)
def test_an_error_inside_a_request_is_logged_with_its_request_id_and_traceback(client, caplog):
    client.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/casse/", HTTP_X_REQUEST_ID="req-error-0001")
    assert response.status_code == 500
    [line] = _json_lines([r for r in caplog.records if r.name == "django.request"])
    assert line["request_id"] == "req-error-0001" and line["path"] == "/casse/" and line["level"] == "ERROR"
    assert line["exception"]["type"] == "RuntimeError" and "boom" in line["exception"]["traceback"]


def test_a_lines_extra_fields_are_kept_and_lines_outside_a_request_have_no_request_id(caplog):
    with caplog.at_level(logging.INFO, logger="concerto.test"):
        logging.getLogger("concerto.test").info("Job done", extra={"job": "retention", "count": 3})
    [line] = _json_lines([r for r in caplog.records if r.name == "concerto.test"])
    assert line["job"] == "retention" and line["count"] == 3
    assert "request_id" not in line


def test_djangos_own_line_for_a_4xx_written_after_the_middleware_carries_the_request_id(client, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        client.get("/a/b/c/d/e/f/g/", HTTP_X_REQUEST_ID="req-404-00001")
    [line] = _json_lines([r for r in caplog.records if r.name == "django.request"])
    assert line["request_id"] == "req-404-00001" and line["path"] == "/a/b/c/d/e/f/g/"
    assert "request" not in line
