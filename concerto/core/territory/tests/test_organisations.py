from concerto.core.territory.models import Organisation
from concerto.core.territory.services import organisations_load


def test_tree_has_one_metropole_12_territories_and_130_communes(db):
    assert Organisation.objects.filter(kind="metropole").count() == 1
    assert Organisation.objects.territories().count() == 12
    assert Organisation.objects.communes().count() == 130
    metropole = Organisation.objects.get(kind="metropole")
    assert metropole.siren == "200054781"
    assert set(Organisation.objects.territories().values_list("parent", flat=True)) == {metropole.pk}


def test_paris_territory_and_commune_have_distinct_slugs(db):
    territory = Organisation.objects.get(kind="territory", code="T1")
    paris = Organisation.objects.get(kind="commune", insee_code="75056")
    assert territory.slug == "territoire-paris"
    assert paris.slug == "paris"
    assert paris.parent == territory


def test_saint_denis_includes_former_pierrefitte_postcode(db):
    saint_denis = Organisation.objects.get(insee_code="93066")
    assert "93200" in saint_denis.postcodes
    assert "93380" in saint_denis.postcodes  # Pierrefitte-sur-Seine, merged in 2025
    assert not Organisation.objects.filter(insee_code="93059").exists()


def test_sceaux_belongs_to_vallee_sud_grand_paris(db):
    sceaux = Organisation.objects.get(slug="sceaux")
    assert sceaux.parent.code == "T2"
    assert sceaux.parent.name == "Vallée Sud-Grand Paris"
    assert [o.kind for o in sceaux.ancestors()] == ["territory", "metropole"]


def test_loading_again_changes_nothing_and_restores_edited_names(db):
    before = {o.slug: (o.pk, o.parent_id, o.population) for o in Organisation.objects.all()}
    Organisation.objects.filter(slug="sceaux").update(name="Sceaux (renamed)", population=1)

    counts = organisations_load()

    assert counts == {"metropole": 1, "territories": 12, "communes": 130}
    after = {o.slug: (o.pk, o.parent_id, o.population) for o in Organisation.objects.all()}
    assert after == before
    assert Organisation.objects.get(slug="sceaux").name == "Sceaux"


def test_territory_population_is_the_sum_of_its_communes(db):
    territory = Organisation.objects.get(code="T2")
    assert territory.population == sum(c.population for c in territory.children.all())
