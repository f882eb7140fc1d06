"""The opinion debates' part of a space's synthesis (opinions/synthesis.py), read from the conversation's last
GroupsResult: groups with their sizes and representative statements, consensus, and why there are no groups."""

import pytest
from django.utils import translation

from concerto.components.opinions import services
from concerto.components.opinions.models import Conversation, Statement, Vote
from concerto.components.opinions.synthesis import sections
from concerto.testing import ComponentFactory

# Two camps of 10 and 8 people: the first agrees with statements 0-2 and disagrees with 3-4, the second the
# other way round; everyone agrees with statement 5.
TEXTS = ["Fermer la rue Houdan aux voitures le dimanche", "Plus de bancs sur la place", "Des arbres rue Houdan",
         "Garder le stationnement rue Houdan", "Élargir la chaussée", "Plus de poubelles de tri"]


@pytest.fixture
def opinions(space):
    return ComponentFactory(space=space, kind="opinions", title="Débat sur la rue Houdan", published=True)


@pytest.fixture
def conversation(opinions):
    conversation = Conversation.objects.create(component=opinions, question="Que faire de la rue Houdan ?")
    for text in TEXTS:
        Statement.objects.create(conversation=conversation, text=text, status="accepted")
    return conversation


def _vote(conversation, camps):
    statements = list(conversation.statements.order_by("pk"))
    votes = []
    for camp, (size, values) in enumerate(camps):
        for person in range(size):
            for statement, value in zip(statements, values, strict=True):
                votes.append(Vote(statement=statement, participant=f"c{camp}p{person}", value=value))
    Vote.objects.bulk_create(votes)
    return services.recompute_groups(conversation)


def test_groups_their_sizes_representative_and_consensus_statements(conversation, opinions):
    result = _vote(conversation, [(10, [1, 1, 1, -1, -1, 1]), (8, [-1, -1, -1, 1, 1, 1])])
    assert result.k == 2
    with translation.override("en"):
        [section] = sections(opinions)
    assert section.title == "Opinion debate: Que faire de la rue Houdan ?"
    figures = {figure.label: figure.value for figure in section.figures}
    assert figures == {"Participants who voted": 18, "Votes": 108, "Statements": 6, "Opinion groups": 2}
    assert [row.cells[:2] for row in section.table.rows] == [["Group A", 10], ["Group B", 8]]
    sources = {quote.text: quote.source for quote in section.quotes}
    # Each camp's representative statements, with the share of the group that agreed.
    assert "Group A: representative statement, 100% of the group agreed" in sources.values()
    assert "Group B: representative statement, 100% of the group agreed" in sources.values()
    assert sources["Plus de poubelles de tri"] == "Consensus: agreed by every group (100 / 100%)"
    assert section.note == ""


def test_without_groups_the_reason_and_the_votes_on_the_statements(conversation, opinions):
    _vote(conversation, [(3, [1, -1, 0, 1, 1, 1])])
    with translation.override("en"):
        [section] = sections(opinions)
    assert section.note == "3 participant(s) voted enough: at least 4 are needed to draw groups."
    assert {figure.label: figure.value for figure in section.figures}["Opinion groups"] == 0
    first = section.table.rows[0].cells
    assert first[0] == "Fermer la rue Houdan aux voitures le dimanche" and first[1:] == [3, 0, 0]
    assert section.table.rows[1].cells[1:] == [0, 3, 0]
    assert section.quotes == []


def test_a_conversation_never_computed_says_so(conversation, opinions):
    with translation.override("en"):
        [section] = sections(opinions)
    assert section.note == "The opinion groups have not been computed yet."
