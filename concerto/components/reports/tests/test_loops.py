"""The report loop seen by its reporter and by the agent: a receipt, a reopen within the component's deadline
(and a clear refusal after it), one « Pris en compte » line, the commune's header and breadcrumb, the service
that received it; on the agent's page, distinct ids and labels and only the transitions the workflow allows."""

import html
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from concerto.components.reports import workflow
from concerto.components.reports.models import Report
from concerto.components.reports.tests.test_reporting import form_url, post_data
from concerto.components.reports.tests.test_workflow import make_report
from concerto.core.audit.models import AuditEntry
from concerto.core.participation.models import Notification
from concerto.testing import UserFactory

pytestmark = pytest.mark.django_db

@pytest.fixture
def lighting(sceaux):
    from concerto.components.reports.models import Category, Service

    service = Service.objects.create(organisation=sceaux, name="Service de l’éclairage",
                                     email="eclairage@sceaux.example.org")
    return Category.objects.create(organisation=sceaux, code="eclairage", name="Éclairage public", service=service)


def page(response) -> str:
    return html.unescape(response.content.decode())


def resolved_report(component, category, author, *, days_ago=1) -> Report:
    report = make_report(category, author=author, component=component, service=category.service,
                         description="Lampadaire éteint")
    Report.objects.filter(pk=report.pk).update(status="resolved",
                                               resolved_at=timezone.now() - timedelta(days=days_ago))
    report.refresh_from_db()
    report.history.create(status="new")
    report.history.create(status="resolved", public_text="Ampoule changée.")
    return report


def bo_url(component, name, *args):
    space = component.space
    return reverse(f"reports_backoffice:{name}", args=[space.organisation.slug, space.slug, component.pk, *args])


def test_a_signed_in_reporter_gets_a_receipt_with_the_reference_and_the_link(
        client, component, lighting, resident, django_capture_on_commit_callbacks):
    client.force_login(resident)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(form_url(component), post_data(lighting, email=None))
    report = Report.objects.get()
    receipt = Notification.objects.get(recipient=resident, verb="reports.receipt")
    assert receipt.title == f"Votre signalement n° {report.pk} est envoyé" or str(report.pk) in receipt.title
    assert receipt.url == report.get_absolute_url()
    assert "Éclairage public" in receipt.body


def test_the_report_page_keeps_the_commune_header_breadcrumb_and_service(client, component, lighting, resident):
    report = resolved_report(component, lighting, resident)
    text = page(client.get(report.get_absolute_url()))
    assert re.search(r'class="brand__name">\s*Sceaux', text)
    assert 'class="breadcrumbs"' in text and "Ma ville" in text
    assert "Service en charge\u00a0: Service de l’éclairage" in text


def test_the_reporter_reopens_a_resolved_report_within_the_deadline(
        client, component, lighting, resident, django_capture_on_commit_callbacks):
    report = resolved_report(component, lighting, resident, days_ago=3)
    client.force_login(resident)
    shown = page(client.get(report.get_absolute_url()))
    assert "Le problème n’est pas réglé\u00a0?" in shown and "Rouvrir le signalement" in shown
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports_signalements:reopen", args=[report.pk]),
                               {"reason": "Le lampadaire s’éteint de nouveau la nuit."})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "new" and report.resolved_at is None
    after = page(client.get(report.get_absolute_url()))
    assert "Rouvert par la personne qui l’a envoyé" in after and "s’éteint de nouveau" in after
    assert AuditEntry.objects.filter(action="reports.reopened", target_id=str(report.pk)).exists()
    assert any(message.to == ["eclairage@sceaux.example.org"] for message in mail.outbox)


def test_a_reopen_after_the_deadline_is_refused_in_french_and_nothing_changes(client, component, lighting,
                                                                               resident):
    report = resolved_report(component, lighting, resident, days_ago=31)
    client.force_login(resident)
    shown = page(client.get(report.get_absolute_url()))
    assert "il ne peut plus être rouvert" in shown and "Rouvrir le signalement" not in shown
    response = client.post(reverse("reports_signalements:reopen", args=[report.pk]), {"reason": "Toujours éteint"})
    assert response.status_code == 400
    assert "résolu il y a plus de 30\u00a0jours" in page(response) or "plus de 30 jours" in page(response)
    report.refresh_from_db()
    assert report.status == "resolved" and report.history.count() == 2


def test_the_deadline_is_a_component_setting(component, lighting, resident):
    component.settings = {**(component.settings or {}), "reopen_days": 60}
    component.save()
    report = resolved_report(component, lighting, resident, days_ago=45)
    assert workflow.reopen_refusal(user=resident, report=report) is None


def test_someone_else_cannot_reopen_and_an_empty_reason_is_refused(client, component, lighting, resident):
    report = resolved_report(component, lighting, resident)
    other = UserFactory()
    client.force_login(other)
    response = client.post(reverse("reports_signalements:reopen", args=[report.pk]), {"reason": "Non"})
    assert response.status_code == 400 and "Seule la personne qui a envoyé ce signalement" in page(response)
    client.force_login(resident)
    response = client.post(reverse("reports_signalements:reopen", args=[report.pk]), {"reason": "  "})
    assert response.status_code == 400 and "Dites ce qui ne va toujours pas" in page(response)
    report.refresh_from_db()
    assert report.status == "resolved"


def test_a_public_answer_does_not_add_a_second_acknowledged_line(client, component, lighting, resident, agent):
    report = make_report(lighting, author=resident, component=component)
    report.history.create(status="new")
    workflow.report_transition(actor=agent, report=report, status="acknowledged")
    workflow.report_answer(actor=agent, report=report, text="L’équipe passe jeudi.")
    history = page(client.get(report.get_absolute_url())).split('id="history-title"')[1].split("</ol>")[0]
    assert history.count("Pris en compte") == 1
    assert "Réponse publique" in history and "L’équipe passe jeudi." in history


def test_the_agents_page_has_distinct_ids_and_named_boxes(staff_client, agent, component, lighting, resident):
    report = make_report(lighting, author=resident, component=component)
    text = page(staff_client(agent).get(bo_url(component, "report", report.pk)))
    ids = re.findall(r'\sid="([^"]+)"', text)
    assert len(ids) == len(set(ids)), "an id is used twice"
    assert 'id="id_text"' not in text
    assert '<label for="id_note_text">Note interne</label>' in text
    assert '<label for="id_answer_text">Réponse publique</label>' in text
    assert "(obligatoire pour rejeter)" in text and "Motif (obligatoire pour rejeter) (facultatif)" not in text


def test_the_status_menu_offers_only_the_allowed_transitions(staff_client, agent, component, lighting, resident):
    client = staff_client(agent)
    report = make_report(lighting, author=resident, component=component, status="in_progress")
    text = page(client.get(bo_url(component, "report", report.pk)))
    menu = text.split('id="id_status_status"')[1].split("</select>")[0]
    assert re.findall(r'value="([a-z_]+)"', menu) == ["resolved", "rejected"]
    resolved = make_report(lighting, author=resident, component=component, status="resolved")
    menu = page(client.get(bo_url(component, "report", resolved.pk))).split('id="id_status_status"')[1]
    assert re.findall(r'value="([a-z_]+)"', menu.split("</select>")[0]) == ["in_progress"]
    # A status posted anyway gets the workflow's explanation, and nothing changes.
    response = client.post(bo_url(component, "report", resolved.pk), {"action": "status", "status": "new"})
    assert response.status_code == 400 and "ne peut pas devenir" in page(response)
