"""schemathesis against the published OpenAPI documents, in-process (WSGI), on the demo's data: the API at
/api/v1/openapi.json and Open311 at /open311/v2/openapi.json, as an anonymous client, a resident's token and
an agent's token, with valid data (positive) and invalid data (negative).

Zero server errors and zero answers that break the published schema: status code documented, content type
documented, body matching its schema, documented headers. The seed is fixed and printed (`CONCERTO_FUZZ_SEED`
changes it, `CONCERTO_FUZZ_EXAMPLES` the number of examples per operation, identity and mode), so a failure
can be replayed exactly.
"""

import os
from collections import Counter

import pytest
import schemathesis
from django.core import signals
from django.core.management import call_command
from django.db import close_old_connections
from hypothesis import HealthCheck, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from concerto.components.reports import workflow
from concerto.components.reports.models import Category
from concerto.core.accounts.models import ApiToken
from concerto.testing import commune, persona

pytestmark = pytest.mark.django_db

SEED = int(os.environ.get("CONCERTO_FUZZ_SEED", "20261206"))
EXAMPLES = int(os.environ.get("CONCERTO_FUZZ_EXAMPLES", "8"))
MODES = [GenerationMode(m) for m in os.environ.get("CONCERTO_FUZZ_MODES", "positive,negative").split(",")]
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]


def _wsgi_app():
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


@pytest.fixture
def demo(db):
    call_command("load_demo", verbosity=0)


@pytest.fixture(autouse=True)
def _connection_kept_across_requests():
    """The WSGI handler closes the database connection after each request; inside a test that would close the
    test's transaction (on PostgreSQL, every later query fails). Django's test client does the same."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def identities(demo):
    sceaux = commune("sceaux")
    resident = persona("fuzz-resident@example.org", residence=sceaux)
    agent = persona("fuzz-agent@sceaux.example.org", role="agent", organisation=sceaux)
    _token, resident_key = ApiToken.issue(user=resident, name="Fuzz")
    _token, agent_key = ApiToken.issue(user=agent, name="Fuzz")
    return {"anonymous": {}, "resident": {"Authorization": f"Bearer {resident_key}"},
            "agent": {"Authorization": f"Bearer {agent_key}"}}


def _fuzz_operation(operation, identity: str, headers: dict, mode, prepare, seen: Counter) -> None:
    @seed(SEED)
    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck),
              print_blob=True)
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        if prepare is not None:
            prepare(case, identity, mode)
        response = case.call(headers=headers)
        seen[(operation.label, response.status_code)] += 1
        case.validate_response(response, checks=CHECKS, headers=headers)

    try:
        run()
    except Unsatisfiable:
        pass  # nothing negative to generate for an operation without parameters


def _fuzz(schema, identities, *, prepare=None) -> Counter:
    """Every operation of SCHEMA, as each identity, in each mode; the answers' statuses, by operation."""
    seen: Counter = Counter()
    failures = []
    print(f"\nschemathesis {schemathesis.__version__}: seed {SEED}, {EXAMPLES} examples per operation, identity "
          f"and mode (replay with CONCERTO_FUZZ_SEED={SEED})")
    for result in schema.get_all_operations():
        operation = result.ok()
        for identity, headers in identities.items():
            for mode in MODES:
                try:
                    _fuzz_operation(operation, identity, headers, mode, prepare, seen)
                except (Exception, BaseExceptionGroup) as error:  # collected, all reported at the end
                    failures.append(f"{operation.label} as {identity} ({mode.value}):\n{error}")
    statuses = Counter(status for (_label, status) in seen.elements())
    print("answers by status:", dict(sorted(statuses.items())))
    if os.environ.get("CONCERTO_FUZZ_VERBOSE"):
        for (label, status), count in sorted(seen.items()):
            print(f"  {label}: {status} x{count}")
    assert not failures, "\n\n".join(failures)
    return seen


def test_the_api_answers_as_its_schema_says_with_no_server_error(identities):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _wsgi_app())
    seen = _fuzz(schema, identities)
    assert sum(seen.values()) > 100
    # Valid requests got through, not only refusals.
    assert any(status == 200 for (_label, status) in seen)


def test_open311_answers_as_its_schema_says_with_no_server_error(identities):
    """Open311 has no accounts: the resident posts with another commune's key, the agent with Sceaux's, in
    Sceaux, at a point of Sceaux and with one of its services (valid examples only), so that posts get through
    to the service."""
    keys = {name: workflow.open311_key_create(actor=None, organisation=commune(slug), name="Fuzz")[1]
            for name, slug in (("resident", "montreuil"), ("agent", "sceaux"))}
    codes = list(Category.objects.filter(organisation__slug="sceaux", active=True)
                 .exclude(questions__required=True).values_list("code", flat=True))
    assert codes

    def prepare(case, identity, mode):
        if identity in keys and isinstance(case.body, dict):
            case.body["api_key"] = keys[identity]
            if identity == "agent" and mode == GenerationMode.POSITIVE:
                case.body.update(jurisdiction_id="92071", lat="48.7784", long="2.2906",
                                 service_code=codes[len(case.body) % len(codes)], email="fuzz@example.org")
                case.body["description"] = str(case.body.get("description", "")).strip() or "Un trou"
        elif identity == "agent" and mode == GenerationMode.POSITIVE and isinstance(case.query, dict):
            case.query["jurisdiction_id"] = "92071"

    schema = schemathesis.openapi.from_wsgi("/open311/v2/openapi.json", _wsgi_app())
    seen = _fuzz(schema, identities, prepare=prepare)
    assert seen[("POST /requests.{format}", 200)], "no valid post got through"
