"""Whatever a client puts in the query string or the path, the API answers without a server error."""

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from concerto.components.news.services import post_create
from concerto.testing import ComponentFactory, SpaceFactory

pytestmark = pytest.mark.django_db

LISTS = {
    "/api/v1/organisations": ["kind", "parent", "q"],
    "/api/v1/spaces": ["organisation", "descendants", "status"],
    "/api/v1/news/posts": ["organisation", "space"],
}
DETAILS = ["/api/v1/organisations/", "/api/v1/spaces/", "/api/v1/news/posts/"]

# Any character that can be sent in UTF-8 (no lone surrogates), NUL included.
text = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
numbers = st.integers(min_value=-(2**70), max_value=2**70).map(str)
values = st.one_of(text, numbers, st.sampled_from(["", "true", "sceaux", "commune", "draft", "1e3", "-1"]))
# No example database: the tests leave no .hypothesis folder in the working tree.
fuzz = settings(max_examples=40, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def some_data(sceaux, agent):
    component = ComponentFactory(space=SpaceFactory(organisation=sceaux), kind="news")
    post_create(author=agent, component=component, title="Titre", body="Texte.", publish=True)


@pytest.mark.parametrize("url", list(LISTS))
@fuzz
@given(data=st.data())
def test_list_endpoints_never_fail_with_a_server_error(client, some_data, url, data):
    names = st.one_of(st.sampled_from([*LISTS[url], "limit", "offset"]), text)
    params = data.draw(st.dictionaries(names, values, max_size=4))
    response = client.get(url, params)
    assert response.status_code < 500, (params, response.content)
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("url", DETAILS)
@fuzz
@given(segment=st.one_of(text, numbers))
def test_detail_endpoints_never_fail_with_a_server_error(client, some_data, url, segment):
    response = client.get(url + quote(segment, safe=""))
    assert response.status_code < 500, (segment, response.content)


@fuzz
@given(body=st.recursive(
    st.one_of(st.none(), st.booleans(), numbers.map(int), text),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(
        st.sampled_from(["component_id", "title", "body", "summary", "publish"]) | text, children,
        max_size=5),
    max_leaves=8,
))
def test_writing_a_post_never_fails_with_a_server_error(client, agent, body):
    import json

    from concerto.core.accounts.models import ApiToken

    _token, key = ApiToken.issue(user=agent, name="Fuzz")
    response = client.post("/api/v1/news/posts", data=json.dumps(body), content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code < 500, (body, response.content)
