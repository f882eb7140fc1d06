"""schemathesis on the back-office's actions in the API alone (merge, bulk answer and assignment of proposals,
ideas that become projects), with more examples than the whole document's run gives each operation: no server
error, every answer as the schema says. The fixtures and the runner are test_schemathesis.py's."""

import os

import pytest
import schemathesis

from concerto.api.tests import test_schemathesis
from concerto.api.tests.test_schemathesis import (  # noqa: F401 - the fixtures
    _connection_kept_across_requests,
    _fuzz,
    _wsgi_app,
    demo,
    identities,
)

pytestmark = pytest.mark.django_db

ACTIONS = r"/(proposals/bulk|proposals/proposals/\{proposal_id\}/merge|budgets/ideas|budgets/projects/from-ideas)$"


def test_the_actions_answer_as_the_schema_says_with_no_server_error(identities, monkeypatch):  # noqa: F811
    monkeypatch.setattr(test_schemathesis, "EXAMPLES", int(os.environ.get("CONCERTO_FUZZ_EXAMPLES", "25")))
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _wsgi_app()).include(path_regex=ACTIONS)
    seen = _fuzz(schema, identities)
    assert {label for (label, _status) in seen} == {
        "POST /api/v1/proposals/bulk", "POST /api/v1/proposals/proposals/{proposal_id}/merge",
        "GET /api/v1/budgets/ideas", "POST /api/v1/budgets/projects/from-ideas"}
