"""The agents' workflow: routing, status transitions and refusals, merge, bulk actions, Open311 keys."""

import secrets

import pytest
from django.contrib.contenttypes.models import ContentType

from concerto.components.reports import workflow
from concerto.components.reports.models import Category, Open311Key, Report, ReportSupport, Service, StatusChange
from concerto.core.audit.models import AuditEntry
from concerto.core.participation.models import Follow
from concerto.testing import UserFactory

pytestmark = pytest.mark.django_db


def make_category(organisation, code="voirie", service=None, **fields) -> Category:
    return Category.objects.create(organisation=organisation, code=code, name=fields.pop("name", code.title()),
                                   service=service, **fields)


def make_report(category, **fields) -> Report:
    fields.setdefault("latitude", 48.7745)
    fields.setdefault("longitude", 2.2990)
    # Report.token's default (token_urlsafe(), 43 characters) overflows its max_length=40 on PostgreSQL.
    fields.setdefault("token", secrets.token_urlsafe(20))
    return Report.objects.create(organisation=category.organisation, category=category, **fields)


@pytest.fixture
def service(sceaux):
    return Service.objects.create(organisation=sceaux, name="Voirie", email="voirie@sceaux.example.org")


@pytest.fixture
def category(sceaux, service):
    return make_category(sceaux, service=service, name="Nid de poule")


@pytest.fixture
def report(category, resident):
    return make_report(category, author=resident, description="Un trou rue Houdan")


def test_a_new_report_goes_to_its_categorys_service(category, service):
    report = make_report(category)
    assert workflow.report_route(report=report) == service
    report.refresh_from_db()
    assert report.service == service


def test_an_inactive_service_receives_nothing(category, service):
    service.active = False
    service.save()
    report = make_report(category)
    assert workflow.report_route(report=report) is None


def test_the_agent_moves_a_report_through_the_workflow_and_the_history_is_public(agent, report):
    workflow.report_transition(actor=agent, report=report, status="acknowledged")
    workflow.report_transition(actor=agent, report=report, status="in_progress", public_text="Travaux lundi.")
    workflow.report_transition(actor=agent, report=report, status="resolved")
    report.refresh_from_db()
    assert report.status == "resolved" and report.resolved_at and report.acknowledged_at
    assert report.public_answer == "Travaux lundi."
    assert list(report.history.values_list("status", flat=True)) == ["acknowledged", "in_progress", "resolved"]
    assert AuditEntry.objects.filter(action="reports.status_changed").count() == 3


def test_a_rejection_needs_a_reason(agent, report):
    with pytest.raises(workflow.WorkflowError, match="Dites pourquoi"):
        workflow.report_transition(actor=agent, report=report, status="rejected", reason="  ")
    report.refresh_from_db()
    assert report.status == "new" and not StatusChange.objects.exists()
    workflow.report_transition(actor=agent, report=report, status="rejected", reason="Domaine privé")
    report.refresh_from_db()
    assert report.status == "rejected" and report.status_reason == "Domaine privé"


def test_impossible_transitions_are_refused_with_a_message(agent, report, category):
    with pytest.raises(workflow.WorkflowError, match="déjà «\u00a0Nouveau\u00a0»"):
        workflow.report_transition(actor=agent, report=report, status="new")
    with pytest.raises(workflow.WorkflowError, match="Fusionner"):
        workflow.report_transition(actor=agent, report=report, status="duplicate")
    with pytest.raises(workflow.WorkflowError, match="dans la liste"):
        workflow.report_transition(actor=agent, report=report, status="bof")
    workflow.report_transition(actor=agent, report=report, status="resolved")
    with pytest.raises(workflow.WorkflowError, match="ne peut pas devenir"):
        workflow.report_transition(actor=agent, report=report, status="acknowledged")
    # A resolved report may be reopened.
    workflow.report_transition(actor=agent, report=report, status="in_progress")
    report.refresh_from_db()
    assert report.status == "in_progress" and report.resolved_at is None


def test_a_duplicate_can_never_be_reopened(agent, report, category):
    original = make_report(category)
    workflow.report_merge(actor=agent, report=report, into=original)
    report.refresh_from_db()
    with pytest.raises(workflow.WorkflowError, match="Un doublon ne change plus"):
        workflow.report_transition(actor=agent, report=report, status="in_progress")


def test_status_changes_call_the_reporting_notification_after_commit(agent, report, monkeypatch,
                                                                    django_capture_on_commit_callbacks):
    from concerto.components.reports import services

    calls = []
    monkeypatch.setattr(services, "notify_report_change",
                        lambda *, report, change: calls.append((report.pk, change.status)), raising=False)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.report_transition(actor=agent, report=report, status="acknowledged")
        workflow.report_answer(actor=agent, report=report, text="Merci, nous passons demain.")
    assert calls == [(report.pk, "acknowledged"), (report.pk, "acknowledged")]


def test_merge_moves_supports_and_followers_without_doubles(agent, report, category, resident):
    original_author = UserFactory(email="premier@example.org")
    original = make_report(category, author=original_author)
    both, only_dup = UserFactory(email="both@example.org"), UserFactory(email="dup@example.org")
    ReportSupport.objects.create(report=original, user=both)
    ReportSupport.objects.create(report=report, user=both)
    ReportSupport.objects.create(report=report, user=only_dup)
    ReportSupport.objects.create(report=report, user=original_author)  # the original's author: dropped
    ReportSupport.objects.create(report=report, email="Anon@example.org")
    ReportSupport.objects.create(report=original, email="anon@example.org")
    report_type = ContentType.objects.get_for_model(Report)
    Follow.objects.create(user=both, target_type=report_type, target_id=original.pk)
    Follow.objects.create(user=both, target_type=report_type, target_id=report.pk)
    Follow.objects.create(user=only_dup, target_type=report_type, target_id=report.pk)

    workflow.report_merge(actor=agent, report=report, into=original)

    report.refresh_from_db()
    original.refresh_from_db()
    assert report.status == "duplicate" and report.duplicate_of == original
    supporters = sorted(str(s.user.email if s.user else s.email) for s in original.supports.all())
    # both, dup, the duplicate's reporter (resident) and the anonymous email, once each.
    assert supporters == ["anon@example.org", "both@example.org", "dup@example.org", "resident@example.org"]
    assert original.support_count == 4
    assert sorted(Follow.objects.filter(target_type=report_type, target_id=original.pk)
                  .values_list("user__email", flat=True)) == ["both@example.org", "dup@example.org"]
    assert not Follow.objects.filter(target_type=report_type, target_id=report.pk).exists()
    assert original_author.notifications.filter(verb="reports.merged").exists()
    assert report.history.get().status == "duplicate"


def test_merge_tells_an_email_only_reporter_of_the_original(agent, report, category, mailoutbox,
                                                          django_capture_on_commit_callbacks):
    original = make_report(category, email="sans-compte@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.report_merge(actor=agent, report=report, into=original)
    assert "sans-compte@example.org" in [m.to[0] for m in mailoutbox]


def test_merge_refuses_itself_a_duplicate_target_and_another_commune(agent, report, category, montreuil):
    with pytest.raises(workflow.WorkflowError, match="propre doublon"):
        workflow.report_merge(actor=agent, report=report, into=report)
    elsewhere = make_report(make_category(montreuil, code="voirie-m"))
    with pytest.raises(workflow.WorkflowError, match="même commune"):
        workflow.report_merge(actor=agent, report=report, into=elsewhere)
    a, b = make_report(category), make_report(category)
    workflow.report_merge(actor=agent, report=a, into=b)
    with pytest.raises(workflow.WorkflowError, match="d’origine"):
        workflow.report_merge(actor=agent, report=report, into=a)


def test_bulk_actions_count_what_was_done_and_refused(agent, category):
    fresh, done_already = make_report(category), make_report(category, status="acknowledged")
    done, refused = workflow.bulk_apply(actor=agent, reports=[fresh, done_already], action="acknowledge")
    assert [r.pk for r in done] == [fresh.pk] and [r.pk for r in refused_ids(refused)] == [done_already.pk]
    done, refused = workflow.bulk_apply(actor=agent, reports=[fresh, done_already], action="status",
                                        status="rejected", reason="")
    assert done == [] and len(refused) == 2 and "Dites pourquoi" in refused[0][1]
    done, refused = workflow.bulk_apply(actor=agent, reports=[fresh, done_already], action="assign", assignee=agent)
    assert len(done) == 2 and Report.objects.filter(assignee=agent).count() == 2


def refused_ids(refused):
    return [report for report, _why in refused]


def test_only_an_agent_of_the_commune_can_be_assigned(agent, outsider, resident, report):
    for nobody in (outsider, resident):
        with pytest.raises(workflow.WorkflowError, match="agent de sa commune"):
            workflow.report_assign(actor=agent, report=report, assignee=nobody)
    workflow.report_assign(actor=agent, report=report, assignee=agent)
    assert list(workflow.assignable_agents(report)) == [agent]


def test_open311_keys_are_stored_hashed_and_can_be_revoked(admin_sceaux, sceaux):
    key, raw = workflow.open311_key_create(actor=admin_sceaux, organisation=sceaux, name="Appli mobile")
    assert raw.startswith("o311_") and key.prefix == raw[:8]
    stored = Open311Key.objects.get()
    assert raw not in stored.key_hash and len(stored.key_hash) == 64
    assert workflow.open311_key_authenticate(raw) == key
    assert Open311Key.objects.get().last_used_at is not None
    for junk in ("", None, "o311_nope", "x" * 5000, 42):
        assert workflow.open311_key_authenticate(junk) is None
    workflow.open311_key_revoke(actor=admin_sceaux, key=key)
    assert workflow.open311_key_authenticate(raw) is None


def test_statistics_give_flat_counts(agent, category):
    make_report(category)
    make_report(category, status="resolved")
    stats = workflow.statistics(type("C", (), {"space": type("S", (), {"organisation": category.organisation})}))
    assert stats["reports"] == 2 and stats["open"] == 1 and stats["resolved"] == 1
