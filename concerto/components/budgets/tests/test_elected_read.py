"""An elected official reads the count of a budget and the history of its counts, the budgets (envelopes) and
their lists put to the vote, the paper-ballot figures and the sheets to check, with none of the forms; a post
changes nothing and says why; the agents still count, add budgets and key sheets."""

import html
import re
from datetime import date

import pytest

from concerto.components.budgets import paper, results
from concerto.components.budgets.models import Budget, PaperEntry, Project, Result
from concerto.components.budgets.tests.test_results_setup import backoffice_url, small_election
from concerto.core.audit.models import AuditEntry
from concerto.testing import persona

pytestmark = pytest.mark.django_db
REFUSAL = "Votre rôle d’élu donne accès en lecture"


def text(response) -> str:
    return html.unescape(response.content.decode())


def posting_forms(page: str) -> list[str]:
    return [form for form in re.findall(r"<form[^>]*>", page)
            if 'method="post"' in form and 'action="/i18n/' not in form and 'action="/compte/' not in form]


def bo(budget, tail: str) -> str:
    space = budget.component.space
    return f"/gestion/{space.organisation.slug}/{space.slug}/budget-participatif/{budget.component_id}/{tail}"


def test_an_elected_official_reads_the_count_and_its_history_without_the_count_form(staff_client, elected, agent):
    budget, projects = small_election()
    first = results.result_compute(actor=agent, budget=budget)
    results.result_publish(actor=agent, result=first)
    results.result_compute(actor=agent, budget=budget)
    response = staff_client(elected).get(backoffice_url(budget))
    assert response.status_code == 200
    page = text(response)
    assert projects[0].title in page and "Historique des dépouillements" in page
    assert page.count("Agent de Sceaux") == 2  # who counted, once per count
    assert "Publié le" in page
    assert posting_forms(page) == []
    assert "Compter les bulletins" not in page and "Publier ces résultats" not in page
    assert "import-pabulib" not in page  # the replay page is the agents'
    assert "telecharger=pb" in page  # the anonymous ballots, for anyone to recount


def test_an_elected_official_who_posts_on_the_count_page_changes_nothing(staff_client, elected, agent):
    budget, _projects = small_election()
    result = results.result_compute(actor=agent, budget=budget)
    client = staff_client(elected)
    audit = AuditEntry.objects.count()
    for data in ({"action": "compute"}, {"action": "publish", "result": result.pk}):
        response = client.post(backoffice_url(budget), data)
        assert response.status_code == 403
        assert REFUSAL in text(response)
    assert Result.objects.filter(budget=budget).count() == 1
    assert Result.objects.get().published_at is None
    assert AuditEntry.objects.count() == audit


def test_before_any_count_an_elected_official_is_told_the_ballots_are_not_counted(staff_client, elected):
    budget, _projects = small_election()
    page = text(staff_client(elected).get(backoffice_url(budget)))
    assert "Les bulletins n’ont pas encore été dépouillés." in page


def test_an_elected_official_reads_the_budgets_and_the_list_put_to_the_vote(staff_client, elected):
    budget, projects = small_election()
    draft = Budget.objects.create(component=budget.component, name="Quartier Robinson", amount=500)
    pending = Project.objects.create(component=budget.component, budget=draft, title="Une boîte à livres",
                                     text="<p>Au square.</p>")
    client = staff_client(elected)
    page = text(client.get(bo(budget, "")))
    assert bo(budget, "enveloppes/") in page  # the project list links the budgets for an official now
    response = client.get(bo(budget, "enveloppes/"))
    assert response.status_code == 200
    page = text(response)
    assert "Toute la ville" in page and "Quartier Robinson" in page
    assert posting_forms(page) == [] and "Ajouter le budget" not in page
    assert "/modifier/" not in page
    for tail in (f"enveloppes/{budget.pk}/bulletin/", f"papier/{budget.pk}/", f"resultats/{budget.pk}/"):
        assert bo(budget, tail) in page
    published = text(client.get(bo(budget, f"enveloppes/{budget.pk}/bulletin/")))
    assert "La liste a été publiée le" in published and posting_forms(published) == []
    preparing = client.get(bo(budget, f"enveloppes/{draft.pk}/bulletin/"))
    assert preparing.status_code == 200
    assert "pas encore publiée" in text(preparing) and posting_forms(text(preparing)) == []
    assert "Une boîte à livres" in text(preparing)  # not ready yet, with the way to its review (which opens)
    assert client.get(bo(budget, f"projets/{pending.pk}/")).status_code == 200


def test_an_elected_official_who_posts_a_budget_or_a_list_changes_nothing(staff_client, elected):
    budget, _projects = small_election()
    client = staff_client(elected)
    audit = AuditEntry.objects.count()
    response = client.post(bo(budget, "enveloppes/"), {"name": "Élue", "amount": "100", "ballot_kind": "approval",
                                                       "rule": "greedy", "position": "1"})
    assert response.status_code == 403 and REFUSAL in text(response)
    response = client.post(bo(budget, f"enveloppes/{budget.pk}/bulletin/"), {"action": "unpublish"})
    assert response.status_code == 403 and REFUSAL in text(response)
    budget.refresh_from_db()
    assert Budget.objects.count() == 1 and budget.ballot_published_at is not None
    assert AuditEntry.objects.count() == audit


SHEET = {"polling_station": "Mairie", "sheet_number": "A-12", "last_name": "Durand", "first_name": "Léa",
         "birth_date": date(1985, 3, 2)}


def test_an_elected_official_reads_the_paper_figures_and_the_sheets_to_check(staff_client, elected, agent,
                                                                             sceaux):
    budget, projects = small_election(vote="current")
    second = persona("agent2@sceaux.example.org", role="agent", organisation=sceaux, display_name="Second agent")
    paper.paper_entry_add(agent=agent, budget=budget, choices=[projects[0].pk], decide=False, **SHEET)
    paper.paper_entry_add(agent=second, budget=budget, choices=[projects[1].pk], decide=False, **SHEET)
    client = staff_client(elected)
    response = client.get(bo(budget, f"papier/{budget.pk}/"))
    assert response.status_code == 200
    page = text(response)
    assert "à vérifier" in page and posting_forms(page) == []
    assert "Saisir un bulletin" not in page and "Durand" not in page
    mismatches = client.get(bo(budget, f"papier/{budget.pk}/a-verifier/"))
    assert mismatches.status_code == 200
    page = text(mismatches)
    assert "Bulletin A-12" in page and projects[1].title in page
    assert posting_forms(page) == [] and "?feuille=" not in page
    before = PaperEntry.objects.count()
    response = client.post(bo(budget, f"papier/{budget.pk}/"), {
        **SHEET, "birth_date": "1985-03-02", "sheet_number": "B-1", "project": [projects[0].pk]})
    assert response.status_code == 403 and REFUSAL in text(response)
    assert PaperEntry.objects.count() == before


def test_the_agents_still_add_budgets_and_count(staff_client, agent):
    budget, _projects = small_election()
    client = staff_client(agent)
    page = text(client.get(bo(budget, "enveloppes/")))
    assert "Ajouter le budget" in page and posting_forms(page)
    client.post(backoffice_url(budget), {"action": "compute"})
    assert Result.objects.filter(budget=budget).count() == 1
    page = text(client.get(backoffice_url(budget)))
    assert "Compter à nouveau" in page and "Publier ces résultats" in page
    assert "Historique des dépouillements" in page
