"""The comparison's representativeness column: the insights' score of each commune over the period, and nothing for
a commune without a population table by age."""

import pytest
from django.utils import timezone

from concerto.core.comparison.figures import comparison_refresh
from concerto.core.comparison.models import ComparisonRow
from concerto.core.insights.population import population_import
from concerto.testing import ComponentFactory, SpaceFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_each_commune_gets_its_score_and_a_commune_without_table_none(client, sceaux, montreuil):
    from concerto.core.participation.services import contribution_record

    population_import(b"insee_code,pop_0_14,pop_15_29,pop_30_44,pop_45_59,pop_60_74,pop_75_plus\n"
                      b"92071,100,200,300,200,100,100\n", source="Test", year=2020)
    year = timezone.localdate().year
    space = SpaceFactory(organisation=sceaux, slug="plu", title="PLU", status="published")
    component = ComponentFactory(space=space, kind="proposals", title="Avis")
    for n, age in enumerate((26, 26, 36, 56)):
        person = UserFactory(email=f"p{n}@example.org", birth_year=year - age, residence=sceaux)
        contribution_record(kind="test.item", target=component, component=component, author=person)
    other = ComponentFactory(space=SpaceFactory(organisation=montreuil, slug="plu", title="PLU", status="published"),
                             kind="proposals", title="Avis")
    contribution_record(kind="test.item", target=other, component=other,
                        author=UserFactory(email="m@example.org", birth_year=year - 40, residence=montreuil))
    comparison_refresh()
    # Sceaux: participants 0 %, 50 %, 25 %, 25 %, 0 %, 0 % against 10 %, 20 %, 30 %, 20 %, 10 %, 10 %: 1 − 0.35.
    assert ComparisonRow.objects.get(organisation=sceaux, period="12m").figures["representativeness"] == 65.0
    assert ComparisonRow.objects.get(organisation=montreuil, period="12m").figures["representativeness"] is None
    sceaux.comparison_named = True
    sceaux.save()
    page = client.get("/metropole/comparaison/").content.decode()
    assert "Représentativité par âge" in page and "65\u00a0%" in page
