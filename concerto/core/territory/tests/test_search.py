from concerto.core.territory.models import Organisation


def names(query):
    return [o.name for o in Organisation.objects.search(query)]


def test_name_without_accents_or_hyphens_finds_the_commune(db):
    assert names("saint maur des fosses")[0] == "Saint-Maur-des-Fossés"
    assert names("epinay")[0] == "Épinay-sur-Seine"
    assert names("CRETEIL") == ["Créteil"]


def test_postcode_finds_the_commune(db):
    assert names("92330") == ["Sceaux"]
    assert names("93380") == ["Saint-Denis"]


def test_insee_code_finds_the_commune(db):
    assert names("93048") == ["Montreuil"]


def test_search_never_returns_the_metropole_and_nothing_for_empty_query(db):
    assert "Métropole du Grand Paris" not in names("metropole")
    assert names("   ") == []
    assert names("zzz-no-such-place") == []
