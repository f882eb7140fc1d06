"""The comparison across communes, on two communes counted by hand:

- Sceaux: five participants in the last twelve months (three accounts, one of them twice, and two paper
  contributions without an account) and one more two years ago; three questions (answered after 4 and 10 days, the
  second after its deadline, the third unanswered and uncommitted); three reports resolved after 2, 4 and 9 days;
  two budget ballots; one action done;
- Montreuil: one participant, and its population unknown.
Everything is dated from NOW, a fixed day, and the figures are computed as of that day.
"""

import csv
import datetime
import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from concerto.components.budgets.models import Ballot, Budget
from concerto.components.questions import services as question_services
from concerto.components.questions.models import Question
from concerto.components.reports.models import Category, Report
from concerto.core.accountability import services as accountability_services
from concerto.core.accountability.models import Decision
from concerto.core.audit.models import AuditEntry
from concerto.core.comparison.figures import comparison_refresh
from concerto.core.comparison.models import ComparisonRow
from concerto.core.participation.models import Contribution
from concerto.core.territory.models import Organisation
from concerto.testing import ComponentFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGE = "/metropole/comparaison/"
NOW = datetime.datetime(2026, 12, 7, 12, tzinfo=datetime.UTC)


def _contribution(organisation, author=None, *, days_ago=10):
    Contribution.objects.create(
        organisation=organisation, kind="test.input", author=author, channel="paper" if author is None else "web",
        target_type=ContentType.objects.get_for_model(Organisation), target_id=organisation.pk,
        created_at=NOW - datetime.timedelta(days=days_ago))


@pytest.fixture
def counted(sceaux, montreuil, space, step, resident, agent, elected):
    now = NOW
    people = [UserFactory(email=f"p{n}@example.org") for n in range(3)]
    for person in people:
        _contribution(sceaux, person)
    _contribution(sceaux, people[0], days_ago=20)
    _contribution(sceaux)
    _contribution(sceaux)
    _contribution(sceaux, UserFactory(email="old@example.org"), days_ago=(NOW.date() - datetime.date(2025, 6, 1)).days)
    _contribution(montreuil, UserFactory(email="m@example.org"))
    Organisation.objects.filter(pk=montreuil.pk).update(population=None)

    questions = ComponentFactory(space=space, kind="questions", title="Questions aux élus")
    profile = question_services.official_profile_save(actor=agent, organisation=sceaux, user=elected,
                                                      name="Claire Dubois", mandate="Adjointe")
    for n, (answer_days, due_days) in enumerate(((4, 30), (10, 5), (None, None))):
        question = question_services.question_ask(author=resident, component=questions, addressee=profile,
                                                  title=f"Question numéro {n} ?", text="Texte.")
        published = now - datetime.timedelta(days=60)
        Question.objects.filter(pk=question.pk).update(
            status=Question.Status.PUBLISHED, published_at=published,
            answered_at=published + datetime.timedelta(days=answer_days) if answer_days else None,
            due_at=published + datetime.timedelta(days=due_days) if due_days else None)

    category = Category.objects.create(organisation=sceaux, code="voirie", name="Voirie")
    for days in (2, 4, 9):
        report = Report.objects.create(organisation=sceaux, category=category, latitude=48.77, longitude=2.29,
                                       status=Report.Status.RESOLVED)
        created = now - datetime.timedelta(days=30)
        Report.objects.filter(pk=report.pk).update(created_at=created,
                                                   resolved_at=created + datetime.timedelta(days=days))

    budgets = ComponentFactory(space=space, kind="budgets", title="Budget")
    budget = Budget.objects.create(component=budgets, name="Toute la ville", amount=100_000)
    Ballot.objects.create(budget=budget, voter_key="user:1")
    Ballot.objects.create(budget=budget, voter_key="user:2")
    Ballot.objects.update(created_at=NOW - datetime.timedelta(days=3))

    decision = accountability_services.decision_create(
        actor=agent, organisation=sceaux, space=space, title="Décision", decided_on=NOW.date(),
        body=Decision.Body.MUNICIPAL_COUNCIL)
    accountability_services.action_create(actor=agent, decision=decision, title="Faite", stage="done",
                                          actual_end=NOW.date())
    # Only the ledger rows written above: the services' own (the questions asked) are dated today.
    Contribution.objects.exclude(kind="test.input").delete()
    comparison_refresh(NOW)
    return {"sceaux": sceaux, "montreuil": montreuil}


def _figures(organisation, period="12m"):
    return ComparisonRow.objects.get(organisation=organisation, period=period).figures


def _table(response) -> str:
    html = response.content.decode()
    return html[html.index("<table"):html.index("</table>")]


def test_figures_of_two_communes_counted_by_hand(counted, sceaux, montreuil):
    figures = _figures(sceaux)
    assert figures["participants"] == 5
    assert figures["participants_per_1000"] == round(5000 / sceaux.population, 2)
    assert figures["answer_median_days"] == 7.0
    assert figures["answer_late_share"] == 50.0
    assert figures["reports_median_days"] == 4.0
    assert figures["budget_votes"] == 2
    assert figures["actions_done"] == 1
    assert _figures(montreuil)["participants"] == 1
    # A commune without population: no rate, said so.
    assert _figures(montreuil)["participants_per_1000"] is None
    # The territory and the Métropole count their communes; run twice, the rows are the same.
    territory = sceaux.parent
    assert _figures(territory)["participants"] == 5
    assert _figures(territory)["reports_median_days"] == 4.0
    assert _figures(Organisation.objects.get(slug="metropole"))["participants"] == 6
    comparison_refresh(NOW)
    assert ComparisonRow.objects.filter(organisation=sceaux).count() == 3
    # The contribution of June 2025 counts in its own year only.
    assert _figures(sceaux, "2025")["participants"] == 1
    assert _figures(sceaux, "2026")["participants"] == 5


def test_the_public_sees_a_commune_that_did_not_opt_in_as_an_anonymous_rank(client, counted, sceaux, montreuil):
    Organisation.objects.filter(pk=montreuil.pk).update(comparison_named=True)
    response = client.get(PAGE)
    assert response.status_code == 200
    table = _table(response)
    assert "Commune anonyme (rang 1)" in table  # Sceaux has the most participants per 1,000
    assert "Sceaux" not in table and sceaux.insee_code not in response.content.decode()
    # Montreuil chose to be named: named, with its population said to be unknown.
    assert ">Montreuil</a>" in table and "population inconnue" in table
    assert 'aria-sort="descending"' in table and "<caption" in table and 'scope="row"' in table


def test_a_commune_agent_sees_their_commune_named_and_highlighted(staff_client, agent, counted):
    table = _table(staff_client(agent).get(PAGE))
    assert ">Sceaux</a>" in table and "votre collectivité" in table
    assert "comparison-table__highlight" in table and 'data-own' in table


def test_another_communes_agent_does_not_see_sceaux_named(staff_client, outsider, counted):
    table = _table(staff_client(outsider).get(PAGE))
    assert "Sceaux" not in table and "Commune anonyme (rang 1)" in table


def test_opting_in_on_the_settings_page_names_the_commune_and_is_audited(client, staff_client, admin_sceaux,
                                                                        counted, sceaux):
    response = staff_client(admin_sceaux).post(reverse("backoffice:settings", args=["sceaux"]),
                                               {"comparison_named": "on"})
    assert response.status_code == 302
    sceaux.refresh_from_db()
    assert sceaux.comparison_named
    entry = AuditEntry.objects.filter(action="organisation.updated", organisation=sceaux).latest("pk")
    assert "comparison_named" in entry.data["fields"]
    client.logout()
    table = _table(client.get(PAGE))
    assert ">Sceaux</a>" in table and "Commune anonyme (rang 1)" not in table


def test_each_organisation_page_links_its_place(client, counted, sceaux):
    html = client.get("/sceaux/").content.decode()
    assert f'href="{PAGE}?commune=sceaux#position"' in html
    assert "Où en est Sceaux par rapport aux autres communes" in html
    territory = sceaux.parent
    assert f'href="{PAGE}?territoire={territory.code}"' in client.get(f"/{territory.slug}/").content.decode()
    assert f'href="{PAGE}"' in client.get("/metropole/").content.decode()


def test_the_link_of_a_named_commune_leads_to_its_row(client, counted, sceaux):
    Organisation.objects.filter(pk=sceaux.pk).update(comparison_named=True)
    html = client.get(PAGE, {"commune": "sceaux"}).content.decode()
    assert 'id="position" class="comparison-table__highlight"' in html


def test_the_link_of_an_anonymous_commune_highlights_nothing(client, counted):
    html = client.get(PAGE, {"commune": "sceaux"}).content.decode()
    assert "pas choisi d’être nommée" in html or "pas choisi d'être nommée" in html
    assert "comparison-table__highlight" not in _table_html(html)


def _table_html(html):
    return html[html.index("<table"):html.index("</table>")]


def test_a_territory_restricts_the_table_to_its_communes(client, counted, sceaux):
    territory = sceaux.parent
    response = client.get(PAGE, {"territoire": territory.code.lower()})
    rows = _table(response).count('scope="row"')
    assert rows == territory.children.count() + 1  # its communes, and the territory as a whole in the footer


def test_territories_can_be_compared(client, counted):
    response = client.get(PAGE, {"niveau": "territoires"})
    assert response.status_code == 200
    assert _table(response).count("<tbody>") == 1
    assert _table(response).count('scope="row"') == 12 + 1  # twelve territories and the Métropole as a whole


@pytest.mark.parametrize("query", [
    {"periode": "1999"}, {"niveau": "quartiers"}, {"territoire": "T99"}, {"tri": "'; drop table"},
    {"ordre": "n'importe"}, {"commune": "atlantis"}, {"commune": "x" * 5000}, {"territoire": "\x00"},
])
def test_bad_query_parameters_are_said_never_a_500(client, counted, query):
    response = client.get(PAGE, query)
    assert response.status_code == 200
    assert 'class="notice" role="status"' in response.content.decode()
    assert client.get(reverse("comparison:csv"), query).status_code == 200


def test_the_csv_is_anonymised_the_same_way(client, staff_client, agent, counted, sceaux):
    rows = list(csv.reader(io.StringIO(client.get(reverse("comparison:csv")).content.decode("utf-8-sig"))))
    assert rows[0][0] == "Nom" and len(rows) == 131
    assert ["Commune anonyme (rang 1)", "", ""] == rows[1][:3]
    assert not any("Sceaux" in cell or sceaux.insee_code in cell for row in rows for cell in row)
    body = staff_client(agent).get(reverse("comparison:csv")).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[1][:2] == ["Sceaux", sceaux.insee_code]


def test_sorting_by_another_figure_and_order(client, counted):
    html = client.get(PAGE, {"tri": "reports_median_days", "ordre": "decroissant"}).content.decode()
    table = _table_html(html)
    header = table[:table.index("</thead>")]
    assert header.count("aria-sort") == 1
    assert 'aria-sort="descending"' in header
    assert "Commune anonyme (rang 1)" in table  # the only commune with reports


def test_the_page_before_any_computation_says_so(client, db):
    ComparisonRow.objects.all().delete()
    response = client.get(PAGE)
    assert response.status_code == 200 and "pas encore calculés" in response.content.decode()
