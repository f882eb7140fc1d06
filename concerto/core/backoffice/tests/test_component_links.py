"""The space's back-office page links to a component's back-office only for the people it opens to."""

import pytest
from django.urls import reverse

from concerto.testing import ComponentFactory, SpaceFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who, opens", [
    # Elected officials read what informs a decision; a consultation's back-office is its editor (results are
    # on its public page).
    ("elected", {"budgets", "consultations", "reports", "news", "events", "proposals"}),
    ("moderator", {"reports"}),
    ("agent", {"budgets", "reports", "news", "events", "proposals", "consultations"}),
])
def test_the_space_page_links_each_person_only_to_the_back_offices_that_open_to_them(
        request, staff_client, sceaux, who, opens):
    space = SpaceFactory(organisation=sceaux, slug="liens")
    components = {kind: ComponentFactory(space=space, kind=kind, title=f"Composant {kind}")
                  for kind in ("budgets", "reports", "news", "events", "proposals", "consultations")}
    client = staff_client(request.getfixturevalue(who))
    page = client.get(reverse("backoffice:space", args=["sceaux", space.slug])).content.decode()
    for kind, component in components.items():
        url = component.get_backoffice_url()
        assert (f'href="{url}"' in page) is (kind in opens), (who, kind)
        if kind in opens:
            assert client.get(url).status_code == 200, (who, kind)
        else:
            assert client.get(url).status_code == 403, (who, kind)
