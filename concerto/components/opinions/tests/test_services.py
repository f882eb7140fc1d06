"""Conversations, votes, the debounced recomputation of the groups and the import of a Polis export."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from concerto.components.opinions import services
from concerto.components.opinions.models import Conversation, GroupsResult, Statement, Vote
from concerto.components.opinions.tests.test_maths import DATA
from concerto.testing import ComponentFactory, UserFactory

LONDON = DATA / "london.youth.policing"


@pytest.fixture
def opinions(space):
    return ComponentFactory(space=space, kind="opinions", title="Débat", published=True)


@pytest.fixture
def conversation(opinions):
    # Published: a draft takes no vote (services.participation_refusal).
    return Conversation.objects.create(component=opinions, question="Que faire de la rue Houdan ?",
                                       published_at=timezone.now())


def test_the_last_vote_counts_and_hidden_statements_take_none(conversation, resident,
                                                            django_capture_on_commit_callbacks):
    shown = Statement.objects.create(conversation=conversation, text="Piétonniser", status="accepted")
    with django_capture_on_commit_callbacks(execute=True):
        services.vote(shown, resident, 1)
        services.vote(shown, resident, -1)
    assert list(Vote.objects.values_list("participant", "value")) == [(f"u{resident.pk}", -1)]
    pending = Statement.objects.create(conversation=conversation, text="En attente")
    rejected = Statement.objects.create(conversation=conversation, text="Rejetée", status="rejected")
    for statement in (pending, rejected):
        with pytest.raises(services.VoteRefused):
            services.vote(statement, resident, 1)
    with pytest.raises(services.VoteRefused):
        services.vote(shown, resident, 2)
    # Too few participants: a result that says so, no groups.
    result = GroupsResult.objects.get(conversation=conversation)
    assert result.k == 0 and "at least 2 are needed" in result.reason and result.votes == 1


def test_votes_queue_one_recomputation_until_it_starts(conversation, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    assert services.schedule_groups(conversation) is True
    assert services.schedule_groups(conversation) is False  # queued already: the debounce
    conversation.refresh_from_db()
    assert conversation.groups_due_at is not None
    services.recompute_groups(conversation)
    conversation.refresh_from_db()
    assert conversation.groups_due_at is None
    assert services.schedule_groups(conversation) is True


@pytest.mark.skipif(not LONDON.is_dir(), reason="the shared Polis data is not on this machine")
def test_importing_a_polis_export_gives_the_command_s_groups(opinions):
    output = io.StringIO()
    call_command("opinion_groups", str(LONDON), "--import-into", str(opinions.pk), stdout=output)
    conversation = Conversation.objects.get(component=opinions)
    assert output.getvalue().startswith(f"conversation {conversation.pk}: ")
    assert "CC BY 4.0" in conversation.source and conversation.question.startswith("What is the best way")
    assert conversation.statements.filter(status="rejected").exists()
    printed = io.StringIO()
    call_command("opinion_groups", str(LONDON), stdout=printed)


    expected = json.loads(printed.getvalue())
    result = conversation.groups_result
    assert result.k == expected["k"]
    # The same participants in the same groups (imported voters are "polis:<voter-id>").
    assert result.data["groups"] == {f"polis:{voter}": group for voter, group in expected["groups"].items()}
    external = dict(conversation.statements.values_list("pk", "external_id"))
    assert [external[pk] for pk in result.data["consensus"]] == expected["consensus"]


def test_importing_into_something_else_fails_clearly(space, tmp_path):
    polls = ComponentFactory(space=space, kind="polls")
    with pytest.raises(CommandError, match="no opinions component"):
        call_command("opinion_groups", str(tmp_path), "--import-into", str(polls.pk))


def test_personal_data_and_its_erasure_keep_the_votes_nameless(conversation):
    from concerto.components.opinions import hooks

    person = UserFactory(email="votante@example.org")
    statement = Statement.objects.create(conversation=conversation, text="Des bancs", status="accepted",
                                         author=person)
    services.vote(statement, person, 1)
    data = hooks.personal_data(person)
    assert data["opinion_votes"][0]["statement"] == "Des bancs" and data["opinion_statements"]
    hooks.erase_personal_data(person)
    vote = Vote.objects.get()
    assert vote.user is None and str(person.pk) in vote.participant and vote.participant != f"u{person.pk}"
    assert Statement.objects.get().author is None
