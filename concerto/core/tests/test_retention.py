"""Data retention (RGPD): each kind of personal data past its period is purged, what is within is kept, the
job is the clock's, the command counts with --dry-run, and the privacy page shows the same periods."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from concerto.core import periodic
from concerto.core.accounts import privacy
from concerto.core.accounts.models import ApiToken, Role, User, VerificationAttempt, VerificationCode
from concerto.core.audit.models import AuditEntry
from concerto.core.audit.services import audit_record
from concerto.core.participation.models import Notification
from concerto.core.retention import retention_purge
from concerto.testing import UserFactory

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def _aged(model, obj, days: int, field: str = "created_at"):
    model.objects.filter(pk=obj.pk).update(**{field: NOW - timedelta(days=days)})
    return obj


def _rule(name):
    return next(rule for rule in privacy.retention_rules() if rule.name == name)


def test_every_kind_has_a_period_a_starting_point_and_a_reason():
    names = [rule.name for rule in privacy.retention_rules()]
    assert len(names) == len(set(names))
    assert {"inactive_accounts", "sessions", "verification_attempts", "verification_codes", "api_tokens",
            "audit_actors", "notifications", "deliveries", "report_contacts",
            "event_registration_details", "ballot_voter_keys", "event_board_keys", "event_feed_tokens",
            "open311_keys"} <= set(names)
    for rule in privacy.retention_rules():
        assert rule.days > 0 and str(rule.label) and str(rule.since) and str(rule.basis)


def test_inactive_accounts_are_deleted_but_not_staff_nor_recent_ones(sceaux):
    old = UserFactory(email="ancien@example.org")
    User.objects.filter(pk=old.pk).update(last_login=NOW - timedelta(days=3 * 365 + 1))
    never = UserFactory(email="jamais@example.org")
    _aged(User, never, 3 * 365 + 1, "date_joined")
    recent = UserFactory(email="recent@example.org")
    User.objects.filter(pk=recent.pk).update(last_login=NOW - timedelta(days=300),
                                             date_joined=NOW - timedelta(days=5000))
    agent = UserFactory(email="agent-ancien@example.org")
    Role.objects.create(user=agent, organisation=sceaux, kind="agent")
    User.objects.filter(pk=agent.pk).update(last_login=NOW - timedelta(days=5000))
    first = retention_purge(now=NOW)  # their holders are told first (test_retention_gaps.py), then 30 days pass
    assert first["inactive_accounts_warned"] == 2 and first["inactive_accounts"] == 0
    assert retention_purge(now=NOW + timedelta(days=30))["inactive_accounts"] == 2
    assert set(User.objects.values_list("email", flat=True)) >= {"recent@example.org", "agent-ancien@example.org"}
    assert not User.objects.filter(email__in=["ancien@example.org", "jamais@example.org"]).exists()


def test_expired_sessions_go(db):
    Session.objects.create(session_key="a" * 32, session_data="", expire_date=NOW - timedelta(days=2))
    Session.objects.create(session_key="b" * 32, session_data="", expire_date=NOW + timedelta(days=10))
    assert retention_purge(now=NOW)["sessions"] == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == ["b" * 32]


def test_verification_attempts_and_codes_past_their_period_go(resident, sceaux):
    old = _aged(VerificationAttempt, VerificationAttempt.objects.create(user=resident, organisation=sceaux,
                                                                          kind="census"), 31)
    new = _aged(VerificationAttempt, VerificationAttempt.objects.create(user=resident, organisation=sceaux,
                                                                          kind="census"), 29)
    code = dict(user=resident, organisation=sceaux, channel="sms", identity_hash="x", birth_date="1990-01-01")
    old_code = _aged(VerificationCode, VerificationCode.objects.create(**code), 91)
    new_code = _aged(VerificationCode, VerificationCode.objects.create(**code), 80)
    figures = retention_purge(now=NOW)
    assert figures["verification_attempts"] == 1 and figures["verification_codes"] == 1
    assert list(VerificationAttempt.objects.values_list("pk", flat=True)) == [new.pk]
    assert list(VerificationCode.objects.values_list("pk", flat=True)) == [new_code.pk]
    assert old.pk != new.pk and old_code.pk != new_code.pk


def test_api_tokens_unused_for_a_year_go(resident):
    unused = _aged(ApiToken, ApiToken.issue(user=resident, name="vieux")[0], 400)
    used = _aged(ApiToken, ApiToken.issue(user=resident, name="servi")[0], 400)
    ApiToken.objects.filter(pk=used.pk).update(last_used_at=NOW - timedelta(days=10))
    stale = _aged(ApiToken, ApiToken.issue(user=resident, name="oublié")[0], 10)
    ApiToken.objects.filter(pk=stale.pk).update(last_used_at=NOW - timedelta(days=366))
    retention_purge(now=NOW)
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["servi"]
    assert unused.pk != used.pk


def test_audit_entries_lose_their_author_after_a_year_but_stay(agent, sceaux):
    old = _aged(AuditEntry, audit_record(actor=agent, action="space.published", organisation=sceaux), 366)
    new = _aged(AuditEntry, audit_record(actor=agent, action="space.published", organisation=sceaux), 200)
    retention_purge(now=NOW)
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.actor_id is None and old.action == "space.published"
    assert new.actor_id == agent.pk


def test_notifications_and_finished_deliveries_past_their_period_go(resident):
    old = _aged(Notification, Notification.objects.create(recipient=resident, verb="x", title="Vieux"), 366)
    Notification.objects.create(recipient=resident, verb="x", title="Récent")

    def result(status, days):
        return DBTaskResult.objects.create(
            args_kwargs={"args": ["someone@example.org", "Sujet", "Texte"], "kwargs": {}}, status=status,
            task_path="concerto.core.participation.notifications.mail_deliver", backend_name="default",
            run_after=NOW, finished_at=NOW - timedelta(days=days) if days is not None else None)

    result("SUCCESSFUL", 31)
    result("FAILED", 40)
    kept = [result("SUCCESSFUL", 5), result("READY", None)]
    figures = retention_purge(now=NOW)
    assert figures["notifications"] == 1 and figures["deliveries"] == 2
    assert list(Notification.objects.values_list("title", flat=True)) == ["Récent"]
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {task.pk for task in kept}
    assert not Notification.objects.filter(pk=old.pk).exists()


def test_reporters_email_addresses_go_a_year_after_the_report_closed(sceaux):
    from concerto.components.reports.models import Category, Report, ReportSupport

    category = Category.objects.create(organisation=sceaux, code="voirie", name="Voirie")
    point = dict(organisation=sceaux, category=category, latitude=48.77, longitude=2.29)
    closed = Report.objects.create(**point, email="a@example.org", device_id="phone-1", status="resolved",
                                   resolved_at=NOW - timedelta(days=400))
    ReportSupport.objects.create(report=closed, email="b@example.org")
    recent = Report.objects.create(**point, email="c@example.org", status="resolved",
                                   resolved_at=NOW - timedelta(days=100))
    still_open = Report.objects.create(**point, email="d@example.org")
    _aged(Report, still_open, 1000)
    assert retention_purge(now=NOW)["report_contacts"] == 2
    closed.refresh_from_db()
    assert closed.email == "" and closed.device_id == "" and closed.description == ""
    assert not ReportSupport.objects.exclude(email="").exists()
    assert Report.objects.filter(pk__in=[recent.pk, still_open.pk]).exclude(email="").count() == 2


def test_walk_ins_names_and_registration_answers_go_a_year_after_the_event(sceaux):
    from concerto.components.events.models import Registration
    from concerto.components.events.tests.test_minutes import make_event, make_events, make_space, register

    component = make_events(make_space(sceaux))
    old, recent = make_event(component, days=-400), make_event(component, days=-100)
    gone = register(old, walk_in=True, name="Dominique")
    Registration.objects.filter(pk=gone.pk).update(answers={"1": "06 12 34 56 78"})
    kept = register(recent, walk_in=True, name="Alix")
    assert retention_purge(now=NOW)["event_registration_details"] == 1
    gone.refresh_from_db()
    kept.refresh_from_db()
    assert gone.name == "" and gone.answers == {} and gone.walk_in  # the registration still counts
    assert kept.name == "Alix"


def test_periods_come_from_the_setting(settings, resident, sceaux):
    attempt = _aged(VerificationAttempt, VerificationAttempt.objects.create(user=resident, organisation=sceaux,
                                                                              kind="census"), 10)
    assert retention_purge(now=NOW)["verification_attempts"] == 0
    settings.CONCERTO_RETENTION_DAYS = {"verification_attempts": 7}
    assert _rule("verification_attempts").period_days == 7
    assert retention_purge(now=NOW)["verification_attempts"] == 1
    assert not VerificationAttempt.objects.filter(pk=attempt.pk).exists()


def test_a_run_is_audited_with_figures_only_and_a_second_run_does_nothing(resident):
    _aged(Notification, Notification.objects.create(recipient=resident, verb="x", title="Vieux"), 400)
    retention_purge(now=NOW)
    entry = AuditEntry.objects.get(action="privacy.retention_purged")
    assert entry.data == {"purged": {"notifications": 1}}
    assert sum(retention_purge(now=NOW).values()) == 0
    assert AuditEntry.objects.filter(action="privacy.retention_purged").count() == 1


def test_purges_work_in_batches(resident, monkeypatch):
    monkeypatch.setattr(privacy, "BATCH", 2)
    for n in range(5):
        _aged(Notification, Notification.objects.create(recipient=resident, verb="x", title=f"n{n}"), 400)
    assert retention_purge(now=NOW)["notifications"] == 5
    assert not Notification.objects.exists()


def test_one_failing_kind_does_not_stop_the_others(resident, monkeypatch, caplog):
    _aged(Notification, Notification.objects.create(recipient=resident, verb="x", title="Vieux"), 400)

    def broken(cutoff, *, dry_run):
        raise RuntimeError("boom")

    rules = [privacy.RetentionRule("broken", "x", "x", 1, "x", broken), *privacy.retention_rules()]
    monkeypatch.setattr("concerto.core.retention.retention_rules", lambda: rules)
    figures = retention_purge(now=NOW)
    assert "broken" not in figures and figures["notifications"] == 1
    assert "Retention rule broken failed" in caplog.text


def test_the_clock_runs_the_retention_job():
    job = next(job for job in periodic.jobs() if job.name == "privacy.retention")
    assert job.every <= 24 * 3600
    assert periodic.run(job) == 0


def test_the_command_counts_with_dry_run_and_purges_without(resident):
    _aged(Notification, Notification.objects.create(recipient=resident, verb="x", title="Vieux"), 400)
    out = StringIO()
    call_command("purge_personal_data", "--dry-run", stdout=out)
    assert "notifications (365 days): 1 to purge" in out.getvalue()
    assert Notification.objects.count() == 1
    assert not AuditEntry.objects.filter(action="privacy.retention_purged").exists()
    out = StringIO()
    call_command("purge_personal_data", stdout=out)
    assert "notifications (365 days): 1 purged" in out.getvalue()
    assert Notification.objects.count() == 0


def test_the_privacy_page_lists_every_kind_with_the_periods_the_job_uses(client, settings):
    settings.CONCERTO_RETENTION_DAYS = {"audit_actors": 180}
    page = client.get("/pages/donnees-personnelles/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Combien de temps nous les gardons" in page
    assert "180\u00a0jours" in page and "3\u00a0ans" in page and "30\u00a0jours" in page
    for rule in privacy.retention_rules():
        assert str(rule.label) in page
    client.cookies.load({settings.LANGUAGE_COOKIE_NAME: "en"})
    english = client.get("/pages/donnees-personnelles/").content.decode()
    assert "How long we keep them" in english and "180 days" in english and "3 years" in english
