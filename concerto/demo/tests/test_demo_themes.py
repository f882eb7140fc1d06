"""The demo shows themes: Sceaux's budget space has its proposals' themes, with French labels and examples."""

import pytest
from django.core.management import call_command

from concerto.core.spaces.models import Space
from concerto.core.texts.models import Theme

pytestmark = pytest.mark.django_db


def test_the_demo_has_themes_on_sceaux_s_proposals(client):
    call_command("load_demo", verbosity=0)
    space = Space.objects.get(organisation__slug="sceaux", slug="budget-participatif-2026")
    themes = list(Theme.objects.filter(space=space))
    assert len(themes) >= 3
    assert all(theme.label and theme.examples[0]["url"] for theme in themes)
    assert sum(theme.size for theme in themes) >= 40
