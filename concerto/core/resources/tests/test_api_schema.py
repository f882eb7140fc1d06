"""The templates' endpoints answer as the OpenAPI document says (the CI fuzzes the whole API; this runs only the
resource centre's operations, with a template and a withdrawn one in the database)."""

import pytest
import schemathesis

from concerto.api.tests.test_schemathesis import _connection_kept_across_requests, _fuzz, _wsgi_app  # noqa: F401
from concerto.core.resources import services
from concerto.testing import SpaceFactory, StepFactory, commune

pytestmark = pytest.mark.django_db


def test_the_templates_api_answers_as_its_schema_says(agent):
    space = SpaceFactory(organisation=commune("sceaux"), slug="modele")
    StepFactory(space=space)
    services.template_publish(actor=agent, organisation=commune("sceaux"), space=space, name="Modèle",
                              summary="Un modèle.", kind="other", audience="everyone")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _wsgi_app()).include(path_regex="resources")
    seen = _fuzz(schema, {"anonymous": {}})
    assert {label for label, _status in seen} == {"GET /api/v1/resources/templates",
                                                  "GET /api/v1/resources/templates/{slug}"}
    assert any(status == 200 for (_label, status) in seen)
