"""Retention rules added for issue 12 (RGPD): who cast each ballot once the results are out (with the counts
unchanged), who posted and voted on a live board, calendar feed addresses and Open311 keys no longer used,
and the email that warns a resident 30 days before their inactive account is deleted (a sign-in keeps it).

Each test goes through the retention job (`retention_purge`, what `purge_personal_data` and the clock run),
so removing a rule from its manifest makes its test fail; the last one checks the privacy page lists them."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from concerto.core.accounts import privacy
from concerto.core.accounts.models import User
from concerto.core.retention import retention_purge
from concerto.testing import UserFactory

pytestmark = pytest.mark.django_db
NOW = timezone.now()
DAY = timedelta(days=1)


# Ballots: the voters' keys go 90 days after the results are published; the counts do not change -------------

def _published_budget(component, days_ago: int):
    from concerto.components.budgets.models import Ballot, PaperEntry, Result
    from concerto.components.budgets.tests.test_results_setup import small_election

    budget, _projects = small_election(component=component, name=f"Budget publié il y a {days_ago} jours")
    Ballot.objects.filter(budget=budget, voter_key="test:1").update(voter_key="user:77")
    PaperEntry.objects.create(budget=budget, polling_station="Mairie", sheet_number="1", voter_key="hash-identite")
    Result.objects.create(budget=budget, rule="greedy", ballots=10, published_at=NOW - days_ago * DAY)
    return budget


def test_ballot_voter_keys_go_90_days_after_the_results_and_a_recount_is_unchanged(resident, monkeypatch):
    from concerto.components.budgets import counting
    from concerto.components.budgets.models import Ballot, PaperEntry
    from concerto.components.budgets.results import election_for
    from concerto.components.budgets.tests.test_results_setup import budget_component, small_election

    component = budget_component()
    old, recent = _published_budget(component, 100), _published_budget(component, 10)
    Ballot.objects.filter(budget=old, voter_key="test:2").update(voter=resident)
    unpublished, _projects = small_election(component=component, name="Pas encore publié")
    before = {rule: counting.count(election_for(budget=old), rule).to_json() for rule in ("greedy", "mes")}
    pabulib_before = counting.write_pabulib(election_for(budget=old))
    monkeypatch.setattr(privacy, "BATCH", 3)  # several batches

    figures = retention_purge(now=NOW)

    assert figures["ballot_voter_keys"] == 11  # 10 ballots and 1 paper sheet
    keys = set(Ballot.objects.filter(budget=old).values_list("voter_key", flat=True))
    assert keys == {f"erased:{pk}" for pk in Ballot.objects.filter(budget=old).values_list("pk", flat=True)}
    assert not Ballot.objects.filter(budget=old, voter__isnull=False).exists()
    assert PaperEntry.objects.get(budget=old).voter_key == ""
    # Within the period, or not published: untouched.
    assert Ballot.objects.filter(budget=recent, voter_key="user:77").exists()
    assert PaperEntry.objects.get(budget=recent).voter_key == "hash-identite"
    assert Ballot.objects.filter(budget=unpublished, voter_key__startswith="test:").count() == 10
    # The counts are reproducible: same outcome, same pabulib file.
    after = {rule: counting.count(election_for(budget=old), rule).to_json() for rule in ("greedy", "mes")}
    assert after == before and counting.write_pabulib(election_for(budget=old)) == pabulib_before
    assert retention_purge(now=NOW)["ballot_voter_keys"] == 0  # safe to run twice


# Live board: who posted and voted goes 30 days after the event -------------------------------------------

def test_live_board_keys_go_30_days_after_the_event_and_the_posts_and_votes_stay(sceaux):
    from concerto.components.events.models import BoardPost, BoardVote
    from concerto.components.events.tests.test_minutes import make_event, make_events, make_space

    component = make_events(make_space(sceaux))
    old, recent = make_event(component, days=-40), make_event(component, days=-10, title="Récente")
    posts = {}
    for event in (old, recent):
        post = BoardPost.objects.create(event=event, text="Et les vélos ?", author_key="session:" + "a" * 40,
                                        vote_count=2)
        BoardVote.objects.create(post=post, voter_key="session:" + "b" * 40)
        BoardVote.objects.create(post=post, voter_key="user:12")
        posts[event.pk] = post

    assert retention_purge(now=NOW)["event_board_keys"] == 3

    gone = posts[old.pk]
    gone.refresh_from_db()
    assert gone.author_key == f"erased:{gone.pk}" and gone.vote_count == 2 and gone.text == "Et les vélos ?"
    assert all(key.startswith("erased:") for key in BoardVote.objects.filter(post=gone)
               .values_list("voter_key", flat=True))
    assert BoardVote.objects.filter(post=gone).count() == 2
    kept = posts[recent.pk]
    kept.refresh_from_db()
    assert kept.author_key.startswith("session:")
    assert set(BoardVote.objects.filter(post=kept).values_list("voter_key", flat=True)) == {
        "session:" + "b" * 40, "user:12"}


# Calendar feeds: an address unused for a year stops working; using it counts --------------------------------

def test_calendar_feed_tokens_unused_for_a_year_go_and_a_read_counts_as_a_use(client, resident):
    from concerto.components.events.models import FeedToken
    from concerto.components.events.services import feed_token_for, feed_user

    other = UserFactory(email="calendrier@example.org")
    unused = feed_token_for(user=resident)
    used = feed_token_for(user=other)
    FeedToken.objects.update(created_at=NOW - 400 * DAY)
    assert feed_user(used) == other  # a calendar app reads the feed today
    assert FeedToken.objects.get(token=used).last_used_at is not None

    assert retention_purge(now=NOW)["event_feed_tokens"] == 1

    assert feed_user(unused) is None and feed_user(used) == other
    assert feed_token_for(user=resident) != unused  # a new address, counted from now
    assert retention_purge(now=NOW)["event_feed_tokens"] == 0


# Open311: keys unused for a year go; the reports sent with them stay --------------------------------------

def test_open311_keys_unused_for_a_year_go_and_their_reports_stay(agent, sceaux):
    from concerto.components.reports.models import Category, Open311Key, Report
    from concerto.components.reports.workflow import open311_key_authenticate, open311_key_create

    old, old_raw = open311_key_create(actor=agent, organisation=sceaux, name="Ancienne appli")
    never, _raw = open311_key_create(actor=agent, organisation=sceaux, name="Jamais servi")
    busy, busy_raw = open311_key_create(actor=agent, organisation=sceaux, name="Appli de la ville")
    Open311Key.objects.update(created_at=NOW - 500 * DAY)
    Open311Key.objects.filter(pk=old.pk).update(last_used_at=NOW - 366 * DAY)
    assert open311_key_authenticate(busy_raw) == busy
    category = Category.objects.create(organisation=sceaux, code="voirie", name="Voirie")
    report = Report.objects.create(organisation=sceaux, category=category, latitude=48.77, longitude=2.29,
                                   api_key=old)

    assert retention_purge(now=NOW)["open311_keys"] == 2

    assert list(Open311Key.objects.values_list("name", flat=True)) == ["Appli de la ville"]
    assert open311_key_authenticate(old_raw) is None
    report.refresh_from_db()
    assert report.api_key_id is None


# Inactive accounts: one email 30 days before; a sign-in keeps the account --------------------------------

def _last_seen(user, days_ago: int):
    User.objects.filter(pk=user.pk).update(last_login=NOW - days_ago * DAY)


def test_an_inactive_resident_is_warned_once_30_days_before_the_deletion(django_capture_on_commit_callbacks):
    dormant = UserFactory(email="dormant@example.org")
    _last_seen(dormant, 3 * 365 - 10)  # passes the 3 years in 10 days
    active = UserFactory(email="active@example.org")
    _last_seen(active, 3 * 365 - 60)  # in 60 days: not yet

    with django_capture_on_commit_callbacks(execute=True):
        figures = retention_purge(now=NOW)
    assert figures["inactive_accounts_warned"] == 1 and figures["inactive_accounts"] == 0
    assert [message.to for message in mail.outbox] == [["dormant@example.org"]]
    day = timezone.localtime(NOW + 30 * DAY)
    message = mail.outbox[0]
    assert "sera supprimé le" in message.subject and str(day.year) in message.subject
    assert "connectez-vous" in message.body.lower() and "/compte/login/" in message.body

    # Once only: later runs before the deadline send nothing and delete nothing.
    with django_capture_on_commit_callbacks(execute=True):
        figures = retention_purge(now=NOW + 20 * DAY)
    assert figures["inactive_accounts_warned"] == 0 and figures["inactive_accounts"] == 0
    assert len(mail.outbox) == 1 and User.objects.filter(pk=dormant.pk).exists()

    # 30 days after the warning: deleted.
    assert retention_purge(now=NOW + 31 * DAY)["inactive_accounts"] == 1
    assert not User.objects.filter(pk=dormant.pk).exists()


def test_signing_in_after_the_warning_keeps_the_account_and_a_new_absence_warns_again(
        django_capture_on_commit_callbacks):
    dormant = UserFactory(email="revenu@example.org")
    _last_seen(dormant, 3 * 365 - 5)
    with django_capture_on_commit_callbacks(execute=True):
        retention_purge(now=NOW)
    assert len(mail.outbox) == 1
    User.objects.filter(pk=dormant.pk).update(last_login=NOW + 10 * DAY)  # they came back

    assert retention_purge(now=NOW + 40 * DAY)["inactive_accounts"] == 0
    assert User.objects.filter(pk=dormant.pk).exists()
    # Three years later, gone again: a new warning, then the deletion 30 days after it.
    later = NOW + 10 * DAY + (3 * 365 - 5) * DAY
    with django_capture_on_commit_callbacks(execute=True):
        figures = retention_purge(now=later)
    assert figures["inactive_accounts_warned"] == 1 and figures["inactive_accounts"] == 0
    assert len(mail.outbox) == 2
    assert retention_purge(now=later + 30 * DAY)["inactive_accounts"] == 1


def test_the_dry_run_counts_the_warnings_without_sending_them(django_capture_on_commit_callbacks):
    dormant = UserFactory(email="dormant@example.org")
    _last_seen(dormant, 3 * 365 - 1)
    with django_capture_on_commit_callbacks(execute=True):
        figures = retention_purge(now=NOW, dry_run=True)
    assert figures["inactive_accounts_warned"] == 1
    assert mail.outbox == [] and User.objects.get(pk=dormant.pk).deletion_warned_at is None


# The privacy page lists the new kinds, in French, and says people are warned ---------------------------

def test_the_privacy_page_lists_the_new_kinds_in_french(client):
    page = client.get("/pages/donnees-personnelles/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    names = {rule.name: rule for rule in privacy.retention_rules()}
    for name in ("ballot_voter_keys", "event_board_keys", "event_feed_tokens", "open311_keys"):
        assert str(names[name].label) in page, name
    assert "Qui a déposé chaque bulletin" in page
    assert "prévenu par courriel 30\u00a0jours avant" in page


def test_the_command_shows_the_warnings_to_send(django_capture_on_commit_callbacks):
    from io import StringIO

    from django.core.management import call_command

    dormant = UserFactory(email="dormant@example.org")
    User.objects.filter(pk=dormant.pk).update(last_login=timezone.now() - (3 * 365 - 3) * DAY)
    out = StringIO()
    call_command("purge_personal_data", "--dry-run", stdout=out)
    assert "inactive_accounts (1095 days): 0 to purge, 1 to warn (30 days before)" in out.getvalue()
