"""Public pages of projects: list, filters, project page, submission form, follow-up; and the API."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from concerto.components.budgets import services
from concerto.components.budgets.models import Project
from concerto.components.budgets.tests.test_projects_setup import *  # noqa: F403 - the fixtures
from concerto.components.budgets.tests.test_projects_setup import (
    SCEAUX_POINT,
    configure,
    image_upload,
    review,
    submit,
)
from concerto.testing import UserFactory

pytestmark = pytest.mark.django_db


def page(component, name="index", *args):
    space = component.space
    return reverse(f"budgets:{name}", args=[space.organisation.slug, space.slug, component.pk, *args])


# The list ---------------------------------------------------------------------------------------------

def test_list_shows_public_projects_with_costs_and_tabs(client, project, agent):
    review(project, agent, cost=18_500)
    html = client.get(page(project.component)).content.decode()
    assert project.title in html
    import re
    assert re.search(r"18\s?500\s€", html), re.findall(r"18\D{0,12}500.{0,8}", html)
    assert 'aria-current="page"' in html  # the component's tabs


def test_list_leaves_out_hidden_and_withdrawn_but_keeps_ineligible(client, component, budget, author, agent):
    hidden = submit(component, author, title="Caché par la modération")
    Project.objects.filter(pk=hidden.pk).update(hidden_at=timezone.now())
    withdrawn = submit(component, author, title="Retiré par son auteur")
    services.project_withdraw(actor=author, project=withdrawn)
    ineligible = submit(component, author, title="Pas de la compétence de la ville")
    review(ineligible, agent, eligibility="ineligible", eligibility_reason="Relève du département")
    html = client.get(page(component)).content.decode()
    assert "Caché par la modération" not in html and "Retiré par son auteur" not in html
    assert "Pas de la compétence de la ville" in html
    detail = client.get(ineligible.get_absolute_url()).content.decode()
    assert "Relève du département" in detail


def test_filters_and_search_narrow_the_list(client, component, budget, author, category):
    submit(component, author, title="Des arbres rue Houdan", category=category)
    submit(component, author, title="Un skatepark")
    html = client.get(page(component), {"q": "skate"}).content.decode()
    assert "Un skatepark" in html and "Des arbres" not in html
    html = client.get(page(component), {"categorie": category.pk}).content.decode()
    assert "Des arbres" in html and "Un skatepark" not in html
    # Junk filters are ignored, never an error.
    assert client.get(page(component), {"categorie": "x", "statut": "<b>", "page": "9999",
                                        "enveloppe": "-1"}).status_code == 200


def test_list_pages_by_the_setting(client, component, budget, author):
    configure(component, projects_per_page=5)
    for number in range(7):
        submit(component, author, title=f"Projet {number}")
    first = client.get(page(component)).content.decode()
    second = client.get(page(component), {"page": 2}).content.decode()
    assert first.count('class="card__link"') == 5 and second.count('class="card__link"') == 2


def test_ballot_list_is_public_only_once_published(client, component, budget, project, agent):
    review(project, agent)
    services.ballot_list_set(actor=agent, budget=budget, project_ids=[project.pk])
    assert project.title not in client.get(page(component), {"statut": "ballot"}).content.decode()
    services.ballot_list_publish(actor=agent, budget=budget)
    html = client.get(page(component), {"statut": "ballot"}).content.decode()
    assert project.title in html


def test_map_points_are_geojson_of_located_projects(client, component, budget, author):
    submit(component, author, title="Situé", point=SCEAUX_POINT)
    submit(component, author, title="Sans lieu")
    data = client.get(page(component, "points")).json()
    assert [f["properties"]["title"] for f in data["features"]] == ["Situé"]


# A project --------------------------------------------------------------------------------------------

def test_project_page_shows_review_answer_and_merge(client, component, budget, project, agent, author):
    review(project, agent, feasibility="feasible", public_answer="<p>Bonne idée, chiffrée.</p>")
    other = submit(component, UserFactory(), title="Un autre jardin")
    services.project_merge(actor=agent, project=other, into=project)
    html = client.get(project.get_absolute_url()).content.decode()
    assert "Bonne idée, chiffrée." in html and "Un autre jardin" in html
    merged = client.get(other.get_absolute_url()).content.decode()
    assert project.title in merged


def test_withdrawn_project_page_is_for_its_author_only(client, project, author, resident):
    services.project_withdraw(actor=author, project=project)
    assert client.get(project.get_absolute_url()).status_code == 404
    client.force_login(resident)
    assert client.get(project.get_absolute_url()).status_code == 404
    client.force_login(author)
    assert client.get(project.get_absolute_url()).status_code == 200


def test_hidden_project_page_is_a_404_for_the_public(client, project):
    Project.objects.filter(pk=project.pk).update(hidden_at=timezone.now())
    assert client.get(project.get_absolute_url()).status_code == 404


def test_project_of_another_commune_is_a_404(client, project):
    space = project.component.space
    path = reverse("budgets:project", args=["montreuil", space.slug, project.component.pk, project.pk])
    assert client.get(path).status_code == 404


def test_resident_comments_on_a_project_and_the_counter_follows(client, project, resident):
    client.force_login(resident)
    html = client.get(project.get_absolute_url()).content.decode()
    assert "comments-title" in html
    from concerto.core.participation.services import comment_create

    comment_create(author=resident, target=project, body="Je soutiens", stance="for")
    project.refresh_from_db()
    assert project.comment_count == 1


def test_followup_page_lists_winning_projects_with_progress(client, component, budget, project, agent):
    Project.objects.filter(pk=project.pk).update(selected=True)
    project.refresh_from_db()
    services.progress_update_create(actor=agent, project=project, stage="works", progress=60,
                                    text="Les travaux avancent")
    html = client.get(page(component, "followup")).content.decode()
    assert project.title in html and 'value="60"' in html and "Travaux\u00a0: 1" in html


def test_project_page_shows_the_stage_progress_news_and_photos_of_its_action(client, component, budget, project,
                                                                            agent):
    Project.objects.filter(pk=project.pk).update(selected=True)
    project.refresh_from_db()
    detail = client.get(project.get_absolute_url()).content.decode()
    assert "Le suivi de ce projet n’a pas encore commencé." in detail
    services.progress_update_create(actor=agent, project=project, stage="works", progress=60,
                                    text="Les travaux avancent", photos=[(image_upload(), "Le chantier ouvert")],
                                    works_end=timezone.localdate() - timedelta(days=3))
    services.progress_update_create(actor=agent, project=project, stage="done", progress=100,
                                    text="Inauguration samedi")
    detail = client.get(project.get_absolute_url()).content.decode()
    follow_up = detail[detail.index('id="followup-title"'):detail.index("</section>", detail.index(
        'id="followup-title"'))]
    assert "Réalisée" in follow_up and "100 % réalisé" in follow_up.replace("\u00a0", " ")
    assert "Les travaux avancent" in follow_up and "Inauguration samedi" in follow_up
    assert 'alt="Le chantier ouvert"' in follow_up
    # The trail says which decision carried it out.
    assert "Ce qu’est devenue cette contribution" in detail and "Projet lauréat du vote." in detail


# Submission -------------------------------------------------------------------------------------------

def test_resident_submits_a_project_through_the_form(client, component, budget, resident):
    client.force_login(resident)
    response = client.post(page(component, "create"), {
        "title": "Des fontaines", "text": "Deux fontaines au parc.", "estimated_cost": "12000",
        "location_latitude": "", "location_longitude": ""})
    assert response.status_code == 302
    project = Project.objects.get(title="Des fontaines")
    assert project.author == resident and project.budget == budget


def test_form_errors_are_shown_and_nothing_is_saved(client, component, budget, resident):
    client.force_login(resident)
    response = client.post(page(component, "create"), {
        "title": "", "text": "x", "estimated_cost": "0",
        "image": __import__("django.core.files.uploadedfile", fromlist=["x"]).SimpleUploadedFile(
            "x.png", b"nope", content_type="image/png"), "image_alt": "x"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "error-summary" in html
    assert not Project.objects.exists()


def test_cost_over_the_budget_is_refused_in_the_form(client, component, budget, resident):
    client.force_login(resident)
    response = client.post(page(component, "create"), {"title": "Trop cher", "text": "Un palais",
                                                       "estimated_cost": "5000000"})
    assert response.status_code == 400
    assert not Project.objects.exists()


def test_closed_submissions_show_the_reason_and_refuse_posts(client, component, budget, resident, step):
    configure(component, step=step, submissions_open=False)
    client.force_login(resident)
    assert client.get(page(component, "create")).status_code == 200
    assert client.post(page(component, "create"), {"title": "x", "text": "y",
                                                   "estimated_cost": "10"}).status_code == 403
    assert not Project.objects.exists()


def test_anonymous_visitor_is_asked_to_sign_in_to_submit(client, component):
    response = client.get(page(component, "create"))
    assert response.status_code == 302


def test_author_edits_then_withdraws_through_the_pages(client, project, author, resident):
    client.force_login(resident)
    assert client.get(page(project.component, "edit", project.pk)).status_code == 403
    client.force_login(author)
    response = client.post(page(project.component, "edit", project.pk), {
        "title": "Jardin partagé agrandi", "text": "Plus de bacs", "estimated_cost": "22000"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.title == "Jardin partagé agrandi"
    assert client.post(page(project.component, "withdraw", project.pk)).status_code == 302
    project.refresh_from_db()
    assert project.withdrawn_at is not None


def test_unpublished_component_is_a_404_for_the_public(client, component):
    component.published = False
    component.save()
    assert client.get(page(component)).status_code == 404


# API --------------------------------------------------------------------------------------------------

def test_api_lists_public_projects_without_authors(client, project, agent, author):
    review(project, agent)
    data = client.get("/api/v1/budgets/projects", {"component": project.component.pk}).json()
    assert data["count"] == 1
    item = data["items"][0]
    assert item["final_cost"] == 18_000 and item["on_ballot"] is False
    assert author.email not in str(data) and "Alex Dupont" not in str(data) and "author" not in item


def test_api_detail_hides_withdrawn_projects(client, project, author):
    assert client.get(f"/api/v1/budgets/projects/{project.pk}").status_code == 200
    services.project_withdraw(actor=author, project=project)
    assert client.get(f"/api/v1/budgets/projects/{project.pk}").status_code == 404
    assert client.get("/api/v1/budgets/projects/0").status_code == 422


def test_api_lists_budgets_and_categories(client, component, budget, category):
    budgets = client.get("/api/v1/budgets/budgets", {"component": component.pk}).json()
    assert budgets["items"][0]["amount"] == 100_000 and budgets["items"][0]["voters_area"] == "sceaux"
    categories = client.get("/api/v1/budgets/categories", {"component": component.pk}).json()
    assert categories["items"][0]["name"] == "Nature en ville"


def test_api_refuses_junk_filters_with_a_4xx(client, component):
    assert client.get("/api/v1/budgets/projects", {"status": "nope"}).status_code == 422
    assert client.get("/api/v1/budgets/projects", {"organisation": "nowhere"}).status_code == 404


def test_past_the_send_limit_a_project_gets_the_429_page_and_is_not_saved(client, rate_limits, component, budget,
                                                                         resident):
    rate_limits.CONCERTO_RATE_LIMITS = {"project": (0, 3600)}
    client.force_login(resident)
    response = client.post(page(component, "create"), {
        "title": "Des fontaines", "text": "Deux fontaines au parc.", "estimated_cost": "12000",
        "location_latitude": "", "location_longitude": ""})
    assert response.status_code == 429 and "Vous avez beaucoup envoyé" in response.content.decode()
    assert not Project.objects.exists()
