"""The population import: both layouts, the shared INSEE file, and files refused whole with their problems."""

import pytest
from django.core.management import CommandError, call_command

from concerto.core.audit.models import AuditEntry
from concerto.core.insights.models import PopulationCount, PopulationTable
from concerto.core.insights.population import PopulationFileError, population_import
from concerto.core.insights.representativeness import population_of
from concerto.core.insights.tests.conftest import HEADER, SHARED_POPULATION

pytestmark = pytest.mark.django_db


def _counts(commune, sex=""):
    table = PopulationTable.objects.get(organisation=commune)
    return {row.band: row.count for row in table.counts.filter(sex=sex)}


def test_the_shared_file_gives_123_communes_and_names_the_7_without_a_table(shared_population, sceaux):
    imported, absent = shared_population
    assert len(imported) == 123 == PopulationTable.objects.count()
    assert sorted(commune.insee_code for commune in absent) == [
        "92047", "93015", "94001", "94047", "94053", "94056", "94070"]
    assert _counts(sceaux) == {"0-14": 3327.4, "15-29": 3979.4, "30-44": 3255.8, "45-59": 3974.1,
                               "60-74": 2764.6, "75+": 2177.7}
    assert PopulationTable.objects.get(organisation=sceaux).year == 2016
    assert AuditEntry.objects.filter(action="population.imported", organisation=sceaux).exists()


def test_the_metropole_sums_its_communes_with_a_table_and_says_which_are_missing(shared_population, metropole):
    population = population_of(metropole)
    assert population.communes == 123
    assert len(population.missing) == 7
    assert round(sum(population.counts)) == round(sum(
        float(line.split(",")[3]) for line in SHARED_POPULATION.read_text().splitlines()[1:]))


def test_insee_s_iris_layout_is_summed_to_communes_with_paris_s_arrondissements(sceaux):
    data = ("IRIS;REG;DEP;COM;P19_POP;P19_POP0014;P19_POP1529;P19_POP3044;P19_POP4559;P19_POP6074;P19_POP75P;"
            "P19_H0014;P19_H1529;P19_H3044;P19_H4559;P19_H6074;P19_H75P\n"
            "920710101;11;92;92071;600;100,5;100;100;100;100;100;50;50;50;50;50;40\n"
            "920710102;11;92;92071;600;100,5;100;100;100;100;100;50;50;50;50;50;40\n"
            "751010101;11;75;75101;60;10;10;10;10;10;10;5;5;5;5;5;5\n"
            "751020101;11;75;75102;60;10;10;10;10;10;10;5;5;5;5;5;5\n")
    imported, absent = population_import(data.encode("latin-1"), source="Insee")
    assert {commune.insee_code for commune in imported} == {"92071", "75056"}
    assert len(absent) == 128
    assert _counts(sceaux) == {"0-14": 201.0, "15-29": 200.0, "30-44": 200.0, "45-59": 200.0, "60-74": 200.0,
                               "75+": 200.0}
    assert _counts(sceaux, "m")["75+"] == 80.0
    assert PopulationTable.objects.get(organisation=sceaux).year == 2019


def test_a_file_with_problems_is_refused_whole_with_every_problem_and_the_previous_table_kept(sceaux_table, sceaux):
    before = _counts(sceaux)
    data = (HEADER + "92071,1,1,1,1,1,1\n99999,1,1,1,1,1,1\n93048,1,deux,1,1,-3,1\n,1,1,1,1,1,1\n").encode()
    with pytest.raises(PopulationFileError) as refused:
        population_import(data, source="Test", year=2021)
    problems = refused.value.problems
    assert any("99999" in problem and "Ligne 3" in problem for problem in problems)
    assert any("deux" in problem for problem in problems) and any("-3" in problem for problem in problems)
    assert any("Ligne 5" in problem and "pas de code de commune" in problem for problem in problems)
    assert _counts(sceaux) == before and PopulationTable.objects.count() == 1


def test_missing_columns_a_missing_year_and_duplicates_are_refused(sceaux):
    with pytest.raises(PopulationFileError, match="pop_75_plus"):
        population_import(b"insee_code,pop_0_14,pop_15_29,pop_30_44,pop_45_59,pop_60_74\n92071,1,1,1,1,1\n",
                          source="Test", year=2020)
    with pytest.raises(PopulationFileError, match="--year"):
        population_import((HEADER + "92071,1,1,1,1,1,1\n").encode(), source="Test")
    with pytest.raises(PopulationFileError, match="deux fois"):
        population_import((HEADER + "92071,1,1,1,1,1,1\n92071,1,1,1,1,1,1\n").encode(), source="Test", year=2020)
    with pytest.raises(PopulationFileError, match="ni les colonnes"):
        population_import(b"code;age;n\n", source="Test", year=2020)
    assert not PopulationCount.objects.exists()


def test_the_command_replaces_a_commune_s_table_and_refuses_a_file_missing_communes_with_all(sceaux_table, sceaux,
                                                                                             tmp_path):
    path = tmp_path / "population.csv"
    path.write_text(HEADER + "92071,1,2,3,4,5,6\n")
    with pytest.raises(CommandError, match="Communes (missing from the file|absentes du fichier)"):
        call_command("import_population", str(path), "--year", "2022", "--all", verbosity=0)
    assert _counts(sceaux)["75+"] == 100
    call_command("import_population", str(path), "--year", "2022", verbosity=0)
    assert _counts(sceaux)["75+"] == 6 and PopulationTable.objects.get(organisation=sceaux).year == 2022
    path.write_text(HEADER + "92071,1,2,3,4,5,x\n")
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_population", str(path), "--year", "2023", verbosity=0)
    assert PopulationTable.objects.get(organisation=sceaux).year == 2022
