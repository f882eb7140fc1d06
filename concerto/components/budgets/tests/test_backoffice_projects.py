"""Back-office of projects: who may see and change what (the matrix), and the pages doing their job."""

import pytest
from django.urls import reverse

from concerto.components.budgets import services
from concerto.components.budgets.models import Budget, Project
from concerto.components.budgets.tests.test_projects_setup import *  # noqa: F403 - the fixtures
from concerto.components.budgets.tests.test_projects_setup import (
    cast_ballot,
    image_bytes,
    review,
    submit,
)
from concerto.core.participation.models import Notification
from concerto.testing import UserFactory, persona

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluator(sceaux):
    return persona("evaluation@sceaux.example.org", role="evaluator", organisation=sceaux,
                   display_name="Évaluatrice de Sceaux")


def url(name, component, *args):
    space = component.space
    return reverse(f"budgets_backoffice:{name}", args=[space.organisation.slug, space.slug, component.pk, *args])


def status_for(client, staff_client, user, path, method="get", data=None):
    if user is None:
        client.logout()
        browser = client
    elif user.roles.exists():
        browser = staff_client(user)
    else:
        client.force_login(user)
        browser = client
    response = getattr(browser, method)(path, data or {})
    return response.status_code


# The matrix: resident / outsider / elected / evaluator / agent ---------------------------------------------

# A resident has no role: the back-office sends them to set up a second factor (302), and never shows a page.
@pytest.mark.parametrize("who, expected", [
    ("resident", 302), ("outsider", 403), ("moderator", 403), ("elected", 200), ("evaluator", 200), ("agent", 200),
    ("metropole_admin", 200),
])
def test_who_reads_the_review_of_a_project(request, client, staff_client, project, who, expected):
    user = request.getfixturevalue(who)
    assert status_for(client, staff_client, user, url("review", project.component, project.pk)) == expected


@pytest.mark.parametrize("who, expected", [
    ("resident", 302), ("outsider", 403), ("elected", 403), ("evaluator", 302), ("agent", 302),
])
def test_who_evaluates_a_project(request, client, staff_client, project, who, expected):
    user = request.getfixturevalue(who)
    code = status_for(client, staff_client, user, url("review", project.component, project.pk), "post",
                      {"eligibility": "eligible", "cost_estimate": "15000"})
    assert code == expected
    project.refresh_from_db()
    assert (project.final_cost == 15_000) == (who in ("evaluator", "agent"))


@pytest.mark.parametrize("who, expected", [
    ("resident", 302), ("outsider", 403), ("elected", 403), ("evaluator", 403), ("agent", 200),
])
def test_who_configures_budgets(request, client, staff_client, component, budget, who, expected):
    user = request.getfixturevalue(who)
    for name, args in (("budgets", ()), ("budget_edit", (budget.pk,)), ("ballot_list", (budget.pk,)),
                       ("categories", ())):
        # Elected officials read the budgets and the lists put to the vote (without their forms).
        read_only = who == "elected" and name in ("budgets", "ballot_list")
        assert status_for(client, staff_client, user, url(name, component, *args)) == (200 if read_only
                                                                                      else expected), name


def test_anonymous_visitor_is_sent_to_sign_in(client, project):
    response = client.get(url("index", project.component))
    assert response.status_code == 302 and "/login" in response["Location"] or "connexion" in response["Location"]


def test_outsider_gets_nothing_through_their_own_commune_url(staff_client, outsider, project):
    """Montreuil's agent naming Sceaux's component under Montreuil's URL finds nothing."""
    browser = staff_client(outsider)
    space = project.component.space
    path = reverse("budgets_backoffice:review", args=["montreuil", space.slug, project.component.pk, project.pk])
    assert browser.get(path).status_code == 404
    assert browser.post(path, {"eligibility": "ineligible", "eligibility_reason": "x"}).status_code == 404
    project.refresh_from_db()
    assert project.eligibility == ""


def test_elected_official_reads_the_review_without_a_form(staff_client, elected, project, agent):
    review(project, agent, notes="Devis demandé")
    page = staff_client(elected).get(url("review", project.component, project.pk)).content.decode()
    assert "Devis demandé" in page
    assert 'name="eligibility"' not in page


# Review, merge ------------------------------------------------------------------------------------------

def test_evaluator_marks_a_project_ineligible_without_reason_and_sees_the_error(staff_client, evaluator, project):
    response = staff_client(evaluator).post(url("review", project.component, project.pk),
                                            {"eligibility": "ineligible"})
    assert response.status_code == 400
    assert "raison" in response.content.decode().lower() or "reason" in response.content.decode().lower()
    project.refresh_from_db()
    assert project.eligibility == ""


def test_evaluator_merges_two_projects_and_both_authors_are_told(staff_client, evaluator, component, budget,
                                                                 project, author):
    other_author = UserFactory(email="autre@example.org")
    other = submit(component, other_author, title="Jardin rue Houdan")
    response = staff_client(evaluator).post(url("merge", component, other.pk), {"into": project.pk})
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.merged_into_id == project.pk
    told = set(Notification.objects.filter(verb="budgets.project_merged").values_list("recipient_id", flat=True))
    assert told == {author.pk, other_author.pk}


def test_merge_into_a_project_of_another_component_is_refused(staff_client, agent, project, space):
    from concerto.testing import ComponentFactory

    elsewhere = ComponentFactory(space=space, kind="budgets", title="Autre")
    foreign = Project.objects.create(component=elsewhere, title="Ailleurs", text="x", estimated_cost=10)
    response = staff_client(agent).post(url("merge", project.component, project.pk), {"into": foreign.pk})
    assert response.status_code == 400
    project.refresh_from_db()
    assert project.merged_into is None


# Budgets and the list put to the vote -------------------------------------------------------------------

def test_agent_adds_a_budget_and_cannot_pick_equal_shares_with_cumulative_ballots(staff_client, agent, component):
    browser = staff_client(agent)
    response = browser.post(url("budgets", component), {
        "name": "Quartiers", "amount": "50000", "ballot_kind": "cumulative", "rule": "mes", "points": "10"})
    assert response.status_code == 400
    assert "Budget" not in {b.name for b in Budget.objects.all()}
    response = browser.post(url("budgets", component), {
        "name": "Quartiers", "amount": "50000", "ballot_kind": "approval", "max_choices": "3", "rule": "mes"})
    assert response.status_code == 302
    assert Budget.objects.get(name="Quartiers").max_choices == 3


def test_budget_page_says_why_voting_rules_are_frozen(staff_client, agent, budget, resident):
    cast_ballot(budget, resident)
    browser = staff_client(agent)
    response = browser.post(url("budget_edit", budget.component, budget.pk), {
        "name": budget.name, "amount": "1", "ballot_kind": "approval", "rule": "greedy"})
    assert response.status_code == 403
    budget.refresh_from_db()
    assert budget.amount == 100_000


def test_agent_builds_numbers_and_publishes_the_ballot_list(staff_client, agent, component, budget, project, author):
    second = submit(component, author, title="Des bancs")
    review(project, agent)
    review(second, agent, cost=5_000)
    browser = staff_client(agent)
    path = url("ballot_list", component, budget.pk)
    response = browser.post(path, {"action": "save", "project": [project.pk, second.pk],
                                   f"number_{project.pk}": "2", f"number_{second.pk}": "1"})
    assert response.status_code == 302
    assert dict(Project.objects.filter(on_ballot=True).values_list("pk", "ballot_number")) == {second.pk: 1,
                                                                                             project.pk: 2}
    assert browser.post(path, {"action": "publish"}).status_code == 302
    budget.refresh_from_db()
    assert budget.ballot_published_at is not None
    page = browser.get(path).content.decode()
    assert "Unpublish" in page or "Dépublier" in page


def test_unpublishing_after_a_vote_is_refused_with_the_reason(staff_client, agent, budget, project, resident):
    review(project, agent)
    services.ballot_list_set(actor=agent, budget=budget, project_ids=[project.pk])
    services.ballot_list_publish(actor=agent, budget=budget)
    cast_ballot(budget, resident, project)
    response = staff_client(agent).post(url("ballot_list", budget.component, budget.pk), {"action": "unpublish"})
    assert response.status_code == 403
    budget.refresh_from_db()
    assert budget.ballot_published_at is not None


def test_categories_are_added_renamed_and_deleted(staff_client, agent, component, project, category):
    browser = staff_client(agent)
    assert browser.post(url("categories", component), {"name": "Sport"}).status_code == 302
    assert browser.post(url("categories", component), {"name": "sport"}).status_code == 400
    assert browser.post(url("category_edit", component, category.pk), {"name": "Nature"}).status_code == 302
    Project.objects.filter(pk=project.pk).update(category=category)
    assert browser.post(url("category_delete", component, category.pk)).status_code == 302
    project.refresh_from_db()
    assert project.category is None


# Follow-up, export --------------------------------------------------------------------------------------

def test_agent_posts_progress_with_a_photo_and_followers_are_told(staff_client, agent, project, author, resident):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from concerto.core.participation.services import follow_add

    Project.objects.filter(pk=project.pk).update(selected=True)
    follow_add(user=resident, target=project)
    browser = staff_client(agent)
    page = browser.get(url("followup", project.component, project.pk)).content.decode()
    assert "Le suivi de ce projet n’a pas encore commencé." in page
    response = browser.post(url("followup", project.component, project.pk), {
        "stage": "works", "progress": "30", "text": "Début des travaux",
        "photo_1": SimpleUploadedFile("a.png", image_bytes(), content_type="image/png"),
        "photo_1_alt": "Le chantier"})
    assert response.status_code == 302
    action = services.project_action(project)
    assert (action.stage, action.progress, action.photos.count()) == ("works", 30, 1)
    for person in (author, resident):
        assert Notification.objects.filter(verb="accountability.action_stage", recipient=person).exists()
    page = browser.get(url("followup", project.component, project.pk)).content.decode()
    assert "Début des travaux" in page
    assert reverse("accountability_backoffice:action", args=[project.organisation.slug, action.pk]) in page


def test_followup_of_a_losing_project_is_refused(staff_client, agent, project):
    response = staff_client(agent).post(url("followup", project.component, project.pk),
                                        {"stage": "works", "progress": "30", "text": "x"})
    assert response.status_code == 403
    assert services.project_action(project) is None


def test_followup_with_a_fake_photo_shows_the_error(staff_client, agent, project):
    from django.core.files.uploadedfile import SimpleUploadedFile

    Project.objects.filter(pk=project.pk).update(selected=True)
    response = staff_client(agent).post(url("followup", project.component, project.pk), {
        "stage": "works", "progress": "30", "text": "Début",
        "photo_1": SimpleUploadedFile("a.png", b"not an image", content_type="image/png"), "photo_1_alt": "x"})
    assert response.status_code == 400
    assert services.project_action(project) is None


def test_csv_export_has_the_public_projects_without_authors(staff_client, elected, project, author):
    response = staff_client(elected).get(url("export_csv", project.component))
    body = b"".join(response.streaming_content).decode()
    assert project.title in body and author.email not in body and "Alex Dupont" not in body


def test_a_project_titled_like_a_formula_is_exported_as_text(staff_client, elected, project):
    import csv
    import io

    from openpyxl import load_workbook

    formula = '=HYPERLINK("http://x","y")'
    Project.objects.filter(pk=project.pk).update(title=formula)
    client = staff_client(elected)
    body = b"".join(client.get(url("export_csv", project.component)).streaming_content).decode("utf-8-sig")
    assert [row["title"] for row in csv.DictReader(io.StringIO(body))] == ["'" + formula]
    response = client.get(url("export_xlsx", project.component))
    assert f'filename="projets-{project.component.pk}.xlsx"' in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows())
    title = [cell.value for cell in rows[0]].index("title")
    assert rows[1][title].value == "'" + formula and rows[1][title].data_type == "s"
