import pytest
from django.utils import timezone

from concerto.core.insights.population import population_import
from concerto.core.participation.services import contribution_record
from concerto.testing import SHARED_DATA, ComponentFactory, SpaceFactory, UserFactory

SHARED_POPULATION = SHARED_DATA / "insee" / "mgp_population_age_rp2016.csv"
HEADER = "insee_code,pop_0_14,pop_15_29,pop_30_44,pop_45_59,pop_60_74,pop_75_plus\n"


@pytest.fixture
def shared_population(db):
    if not SHARED_POPULATION.exists():
        pytest.skip("the shared INSEE file is not beside the project")
    return population_import(SHARED_POPULATION.read_bytes(), source="Insee, RP2016")


@pytest.fixture
def sceaux_table(sceaux):
    """Sceaux: 1,000 people, shares 10 %, 20 %, 30 %, 20 %, 10 %, 10 %."""
    population_import((HEADER + "92071,100,200,300,200,100,100\n").encode(), source="Test", year=2020)


@pytest.fixture
def participants(sceaux):
    """Four people of Sceaux in a space, aged 26, 26, 36 and 56 this year (one of them twice, on paper too), and a
    fifth without a year of birth."""
    year = timezone.localdate().year
    space = SpaceFactory(organisation=sceaux, slug="plu", title="PLU", status="published")
    component = ComponentFactory(space=space, kind="proposals", title="Avis")
    people = [UserFactory(email=f"p{age}-{n}@example.org", birth_year=year - age, residence=sceaux)
              for n, age in enumerate((26, 26, 36, 56))]
    people.append(UserFactory(email="sans-age@example.org"))
    for person in people:
        contribution_record(kind="test.item", target=component, component=component, author=person)
    contribution_record(kind="test.item", target=component, component=component, author=people[0], channel="paper")
    return {"space": space, "component": component, "people": people}
