"""The pages of decisions and actions: the agents' back-office, the public tracker, the trail, the account page."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from concerto.core.accountability import services
from concerto.core.accountability.models import Decision, DecisionLink

pytestmark = pytest.mark.django_db


def test_an_agent_records_a_decision_and_links_a_proposal_without_javascript(staff_client, agent, proposal, space):
    client = staff_client(agent)
    response = client.post(reverse("accountability_backoffice:decision_create", args=["sceaux"]), {
        "title": "Des arbres dans les cours", "body": "municipal_council", "decided_on": "2026-03-12",
        "space": space.pk, "text": "Adopté à l’unanimité.", "deliberation_number": "2026-031"})
    decision = Decision.objects.get()
    assert response.status_code == 302 and decision.space == space
    links_url = reverse("accountability_backoffice:decision_links", args=["sceaux", decision.pk])
    page = client.get(links_url, {"q": "arbres"}).content.decode()
    assert proposal.title in page
    response = client.post(links_url + "?q=arbres", {
        "content_type": services.linkable_search(decision=decision)[0].content_type_id, "object_id": proposal.pk,
        "status": "partly", "explanation": "Dix écoles d’abord."})
    assert response.status_code == 302
    assert DecisionLink.objects.get().status == "partly"
    page = client.get(reverse("accountability_backoffice:decision", args=["sceaux", decision.pk])).content.decode()
    assert proposal.title in page and "Dix écoles d’abord." in page


def test_a_link_without_explanation_is_answered_with_a_french_message(staff_client, agent, decision, proposal):
    client = staff_client(agent)
    from django.contrib.contenttypes.models import ContentType

    response = client.post(reverse("accountability_backoffice:decision_links", args=["sceaux", decision.pk]), {
        "content_type": ContentType.objects.get_for_model(proposal).pk, "object_id": proposal.pk,
        "status": "adopted", "explanation": ""})
    assert response.status_code == 400
    assert "Ce champ est obligatoire" in response.content.decode()
    assert not DecisionLink.objects.exists()


def test_a_contribution_of_another_commune_posted_by_hand_is_refused(staff_client, agent, decision,
                                                                      montreuil_proposal):
    from django.contrib.contenttypes.models import ContentType

    response = staff_client(agent).post(
        reverse("accountability_backoffice:decision_links", args=["sceaux", decision.pk]),
        {"content_type": ContentType.objects.get_for_model(montreuil_proposal).pk,
         "object_id": montreuil_proposal.pk, "status": "adopted", "explanation": "Oui."})
    assert response.status_code == 400
    assert "appartient à une autre organisation" in response.content.decode()
    assert not DecisionLink.objects.exists()


def test_a_file_that_is_not_a_pdf_is_refused_in_french(staff_client, agent):
    response = staff_client(agent).post(reverse("accountability_backoffice:decision_create", args=["sceaux"]), {
        "title": "Délibération", "body": "mayor", "decided_on": "2026-03-12",
        "document": SimpleUploadedFile("deliberation.pdf", b"not a pdf at all", content_type="application/pdf")})
    assert response.status_code == 400
    assert not Decision.objects.exists()
    assert "PDF" in response.content.decode()


def test_an_agent_of_another_commune_cannot_open_or_reach_sceaux_decisions(staff_client, outsider, decision):
    client = staff_client(outsider)
    assert client.get(reverse("accountability_backoffice:decisions", args=["sceaux"])).status_code == 403
    response = client.get(reverse("accountability_backoffice:decision", args=["montreuil", decision.pk]))
    assert response.status_code == 404


def test_an_elected_official_reads_but_does_not_change(staff_client, elected, decision):
    client = staff_client(elected)
    page = client.get(reverse("accountability_backoffice:decision", args=["sceaux", decision.pk]))
    assert page.status_code == 200 and decision.title in page.content.decode()
    assert "Lier des contributions" not in page.content.decode()
    assert "Modifier la décision" not in page.content.decode()
    assert client.get(reverse("accountability_backoffice:decision_edit",
                              args=["sceaux", decision.pk])).status_code == 403


def test_an_agent_moves_an_action_on_and_adds_a_photo(staff_client, agent, decision):
    from concerto.testing import image_bytes

    action = services.action_create(actor=agent, decision=decision, title="Planter 40 arbres",
                                    planned_end=datetime.date(2026, 11, 30))
    client = staff_client(agent)
    response = client.post(reverse("accountability_backoffice:action_progress", args=["sceaux", action.pk]),
                           {"text": "Travaux lancés.", "stage": "works", "progress": "50"})
    assert response.status_code == 302
    response = client.post(reverse("accountability_backoffice:action_photo", args=["sceaux", action.pk]), {
        "image": SimpleUploadedFile("chantier.png", image_bytes(), content_type="image/png"),
        "image_alt": "Le chantier dans la cour"})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.stage == "works" and action.photos.count() == 1
    response = client.post(reverse("accountability_backoffice:action_progress", args=["sceaux", action.pk]),
                           {"text": "", "progress": "150"})
    assert response.status_code == 400


def test_the_public_tracker_shows_progress_lateness_and_totals(client, agent, decision, proposal):
    services.decision_link_add(actor=agent, decision=decision, target=proposal, status="adopted",
                               explanation="Retenu.")
    services.action_create(actor=agent, decision=decision, title="Préau végétalisé", stage="works", progress=40,
                           budget_planned=Decimal("20000"), budget_spent=Decimal("5000"),
                           planned_end=datetime.date(2020, 1, 31))
    page = client.get(reverse("accountability:organisation", args=["sceaux"])).content.decode()
    assert decision.title in page and "Préau végétalisé" in page and "En retard" in page
    assert "20\u202f000" in page and "5\u202f000" in page
    assert client.get(reverse("accountability:organisation", args=["sceaux"]),
                      {"annee": "deux-mille", "etat": "<script>"}).status_code == 200
    metropole = client.get(reverse("accountability_site:metropole"), {"commune": "sceaux"}).content.decode()
    assert decision.title in metropole
    other_year = client.get(reverse("accountability:organisation", args=["sceaux"]), {"annee": "2019"})
    assert decision.title not in other_year.content.decode()
    space_page = client.get(reverse("accountability:space", args=["sceaux", decision.space.slug])).content.decode()
    assert decision.title in space_page
    commune_page = client.get(reverse("organisation_detail", args=["sceaux"])).content.decode()
    assert reverse("accountability:organisation", args=["sceaux"]) in commune_page
    geojson = client.get(reverse("accountability:actions_geojson", args=["sceaux"])).json()
    assert geojson["type"] == "FeatureCollection"


def test_a_resident_sees_the_trail_on_the_proposal_and_in_the_account(client, agent, author, decision, proposal):
    services.decision_link_add(actor=agent, decision=decision, target=proposal, status="adopted",
                               explanation="Dix écoles plantées en 2026.")
    services.action_create(actor=agent, decision=decision, title="Planter 40 arbres", stage="done", progress=100)
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "Ce qu’est devenue cette contribution" in page and "Dix écoles plantées en 2026." in page
    client.force_login(author)
    page = client.get(reverse("accountability_account:mine")).content.decode()
    assert proposal.title in page and decision.title in page and "Planter 40 arbres" in page


def test_an_archived_decision_leaves_the_public_pages(client, agent, decision, proposal):
    services.decision_link_add(actor=agent, decision=decision, target=proposal, status="adopted", explanation="Oui.")
    services.decision_delete(actor=agent, decision=decision)
    assert client.get(decision.get_absolute_url()).status_code == 404
    assert decision.title not in client.get(proposal.get_absolute_url()).content.decode()


def test_the_account_page_links_to_what_became_of_my_contributions(client, author):
    client.force_login(author)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert reverse("accountability_account:mine") in page and "Ce que sont devenues mes contributions" in page
