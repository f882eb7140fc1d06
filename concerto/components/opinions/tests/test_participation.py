"""Who may vote and write, the next statement (as Polis chooses it), statements written by participants."""

import random
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.utils import timezone

from concerto.components.opinions import services
from concerto.components.opinions.models import Conversation, GroupsResult, Statement, Vote
from concerto.components.opinions.tests.conftest import TEXTS
from concerto.core.accounts.verification import VerificationRequired, verification_grant
from concerto.core.participation.models import Contribution

pytestmark = pytest.mark.django_db


def test_an_anonymous_participant_votes_under_their_session_key_and_the_last_vote_counts(debate):
    statement = debate.statements.first()
    services.vote(statement, AnonymousUser(), 1, session_key="k1")
    services.vote(statement, AnonymousUser(), -1, session_key="k1")
    services.vote(statement, AnonymousUser(), 0, session_key="k2")
    assert sorted(Vote.objects.values_list("participant", "value")) == [("sk1", -1), ("sk2", 0)]
    # One ledger row per participant and statement, without an author.
    assert Contribution.objects.filter(kind="opinions.vote", author__isnull=True).count() == 2
    with pytest.raises(services.VoteRefused, match="cookies"):
        services.vote(statement, AnonymousUser(), 1)


def test_the_audience_decides_who_votes(debate, resident, sceaux, agent):
    statement = debate.statements.first()
    debate.audience = Conversation.Audience.ACCOUNT
    debate.save()
    with pytest.raises(services.VoteRefused, match="Connectez-vous") as refused:
        services.vote(statement, AnonymousUser(), 1, session_key="k1")
    assert "/login/" in refused.value.url
    services.vote(statement, resident, 1)
    debate.audience = Conversation.Audience.VERIFIED
    debate.save()
    with pytest.raises(VerificationRequired):
        services.vote(statement, resident, -1)
    verification_grant(agent=agent, user=resident, organisation=sceaux, method="desk", identity_hash="h-resident")
    services.vote(statement, resident, -1)
    assert Vote.objects.get(participant=f"u{resident.pk}").value == -1


def test_a_space_reserving_votes_to_verified_residents_is_obeyed(debate, resident):
    debates = debate.component
    debates.verified_actions = ["vote"]
    debates.save()
    with pytest.raises(VerificationRequired):
        services.vote(debate.statements.first(), resident, 1)
    # Writing a statement is not reserved: it goes through.
    assert services.write_statement(debate, resident, "Des bancs à l’ombre.").author == resident


def test_a_closed_or_future_debate_takes_no_vote_nor_statement(debate, resident):
    statement = debate.statements.first()
    debate.closes_at = timezone.now() - timedelta(minutes=1)
    debate.save()
    with pytest.raises(services.VoteRefused, match="clos"):
        services.vote(statement, resident, 1)
    with pytest.raises(services.VoteRefused, match="clos"):
        services.write_statement(debate, resident, "Une idée nouvelle.")
    debate.closes_at, debate.opens_at = None, timezone.now() + timedelta(days=2)
    debate.save()
    with pytest.raises(services.VoteRefused, match="ouvre le"):
        services.vote(statement, resident, 1)
    assert not Vote.objects.exists() and debate.statements.count() == 3


def test_hidden_statements_take_no_vote_and_are_never_next(debate, resident):
    pending = Statement.objects.create(conversation=debate, text="En attente")
    rejected = Statement.objects.create(conversation=debate, text="Rejetée", status="rejected")
    for statement in (pending, rejected):
        with pytest.raises(services.VoteRefused, match="pas affichée"):
            services.vote(statement, resident, 1)
    seen = set()
    for seed in range(20):
        seen.add(services.next_statement(debate, f"u{resident.pk}", rng=random.Random(seed)).pk)
    assert seen == set(debate.statements.filter(status="accepted").values_list("pk", flat=True))
    # Published before moderation, a pending statement is shown and voted on.
    debate.moderation = Conversation.Moderation.AFTER
    debate.save()
    assert services.vote(Statement.objects.get(pk=pending.pk), resident, 1).value == 1


def test_next_statement_skips_what_was_voted_and_ends(debate, resident):
    participant = f"u{resident.pk}"
    rng = random.Random(1)
    voted = []
    while (statement := services.next_statement(debate, participant, rng=rng)) is not None:
        assert statement.pk not in voted
        services.vote(statement, resident, 1)
        voted.append(statement.pk)
    assert len(voted) == 3


def test_next_statement_favours_few_votes_and_statements_that_split_the_groups(debate):
    first, second, third = debate.statements.order_by("pk")
    # The first has many votes (all agree), the others none: the new ones come first about 9 times in 10.
    Vote.objects.bulk_create(Vote(statement=first, participant=f"p{n}", value=1) for n in range(40))
    rng = random.Random(3)
    draws = [services.next_statement(debate, "newcomer", rng=rng).pk for _n in range(200)]
    assert draws.count(first.pk) < 30 and min(draws.count(second.pk), draws.count(third.pk)) > 70
    # The same votes on the other two (half agree, half disagree): on the second the two groups split, on the third
    # each group is split in halves as well.
    groups = {f"p{n}": n % 2 for n in range(40)}
    for n in range(40):
        Vote.objects.create(statement=second, participant=f"p{n}", value=1 if n % 2 else -1)
        Vote.objects.create(statement=third, participant=f"p{n}", value=1 if n % 4 < 2 else -1)
    GroupsResult.objects.create(conversation=debate, k=2, data={"groups": groups})
    draws = [services.next_statement(debate, "newcomer", rng=rng).pk for _n in range(400)]
    assert draws.count(second.pk) > 2 * draws.count(third.pk)
    # Reproducible with a seeded random.
    assert (services.next_statement(debate, "x", rng=random.Random(9))
            == services.next_statement(debate, "x", rng=random.Random(9)))


def test_a_written_statement_waits_for_moderation_or_shows_at_once(debate, resident):
    statement = services.write_statement(debate, resident, "  Des fontaines   d’eau potable.  ")
    assert statement.text == "Des fontaines d’eau potable." and statement.status == "pending"
    assert not statement.is_shown and not Vote.objects.filter(statement=statement).exists()
    debate.moderation = Conversation.Moderation.AFTER
    debate.save()
    shown = services.write_statement(debate, AnonymousUser(), "Des toilettes publiques.", session_key="k")
    assert shown.is_shown and shown.author is None
    # Its author agrees with it, as in Polis.
    assert list(Vote.objects.filter(statement=shown).values_list("participant", "value")) == [("sk", 1)]
    assert Contribution.objects.filter(kind="opinions.statement").count() == 2


@pytest.mark.parametrize("text, message", [
    ("   ", "Écrivez votre affirmation."),
    ("x" * 281, "280 caractères au plus (la vôtre en a 281)"),
    ("PIÉTONNISER la rue houdan, le dimanche !", "déjà dans le débat"),
])
def test_bad_statements_are_refused_with_the_reason(debate, resident, text, message):
    with pytest.raises(ValidationError) as refused:
        services.write_statement(debate, resident, text)
    assert message in refused.value.message_dict["text"][0]
    assert debate.statements.count() == 3


def test_an_opposite_statement_is_not_refused_but_asks_for_a_confirmation(debate, resident):
    # The engine cannot read « ne pas »: the statement looks like the seed, the person decides.
    with pytest.raises(services.SimilarStatements) as near:
        services.write_statement(debate, resident, "Ne pas piétonniser la rue Houdan le dimanche.")
    assert [statement.text for statement in near.value.statements] == [TEXTS[0]]
    assert debate.statements.count() == 3
    services.write_statement(debate, resident, "Ne pas piétonniser la rue Houdan le dimanche.", confirmed=True)
    assert debate.statements.count() == 4
