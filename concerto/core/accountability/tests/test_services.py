"""Decisions, their links to contributions and their actions: the rules residents and agents meet."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from concerto.core.accountability import services
from concerto.core.accountability.models import Action, Decision, DecisionLink
from concerto.core.audit.models import AuditEntry
from concerto.core.participation.models import FeedEntry, Notification
from concerto.core.participation.services import follow_add

pytestmark = pytest.mark.django_db


def test_a_decision_answers_a_proposal_and_its_author_and_followers_hear(decision, proposal, author, resident,
                                                                          agent):
    follow_add(user=resident, target=proposal)
    link = services.decision_link_add(actor=agent, decision=decision, target=proposal,
                                      status=DecisionLink.Status.ADOPTED, explanation="Dix écoles plantées en 2026.")
    assert link.target_title == proposal.title and link.target_url == proposal.get_absolute_url()
    notified = set(Notification.objects.filter(verb=services.VERB_ANSWERED).values_list("recipient__email",
                                                                                        flat=True))
    assert notified == {author.email, resident.email}
    assert [item.decision for item in services.trail_of(proposal)] == [decision]
    assert AuditEntry.objects.filter(action="decision.linked").exists()
    assert FeedEntry.objects.filter(kind=services.FEED_DECISION, title=decision.title).exists()


def test_the_picker_finds_the_communes_items_only(decision, proposal, montreuil_proposal):
    titles = [candidate.title for candidate in services.linkable_search(decision=decision, query="arbres")]
    assert titles == [proposal.title]
    assert services.linkable_search(decision=decision, query="marché") == []


def test_a_contribution_of_another_commune_is_refused(decision, montreuil_proposal, agent):
    with pytest.raises(services.LinkRefused, match="une autre organisation|another organisation"):
        services.decision_link_add(actor=agent, decision=decision, target=montreuil_proposal,
                                   status=DecisionLink.Status.ADOPTED, explanation="Oui.")
    assert not DecisionLink.objects.exists()


def test_the_metropole_may_answer_a_communes_contribution(metropole, montreuil_proposal, metropole_admin):
    decision = services.decision_create(actor=metropole_admin, organisation=metropole, title="Marchés du soir",
                                        decided_on=datetime.date(2026, 2, 1), body=Decision.Body.METROPOLE_COUNCIL)
    services.decision_link_add(actor=metropole_admin, decision=decision, target=montreuil_proposal,
                               status=DecisionLink.Status.PLANNED, explanation="Déjà prévu au plan métropolitain.")
    assert DecisionLink.objects.get().target_organisation.slug == "montreuil"
    montreuil = montreuil_proposal.organisation
    assert list(services.tracker(organisation_ids=montreuil.descendant_ids())["decisions"]) == [decision]


def test_a_link_needs_a_status_and_an_explanation(decision, proposal, agent):
    with pytest.raises(ValidationError) as error:
        services.decision_link_add(actor=agent, decision=decision, target=proposal, status="maybe", explanation=" ")
    assert set(error.value.message_dict) == {"status", "explanation"}


def test_a_decision_that_answers_contributions_is_archived_not_deleted(decision, proposal, agent):
    services.decision_link_add(actor=agent, decision=decision, target=proposal,
                               status=DecisionLink.Status.NOT_ADOPTED, explanation="Pas de budget cette année.")
    assert services.decision_delete(actor=agent, decision=decision) == "archived"
    decision.refresh_from_db()
    assert decision.is_archived and services.trail_of(proposal) == []
    assert not FeedEntry.objects.filter(kind=services.FEED_DECISION).exists()
    lone = services.decision_create(actor=agent, organisation=decision.organisation, title="Sans lien",
                                    decided_on=datetime.date(2026, 1, 5), body=Decision.Body.MAYOR)
    assert services.decision_delete(actor=agent, decision=lone) == "deleted"
    assert not Decision.objects.filter(pk=lone.pk).exists()


def test_actions_move_through_stages_and_contributors_hear(decision, proposal, author, agent):
    services.decision_link_add(actor=agent, decision=decision, target=proposal,
                               status=DecisionLink.Status.ADOPTED, explanation="Retenu.")
    action = services.action_create(actor=agent, decision=decision, title="Planter 40 arbres",
                                    budget_planned=Decimal("12000"), planned_end=datetime.date(2026, 11, 30))
    services.action_progress_add(actor=agent, action=action, text="Les études commencent.", stage="studies",
                                 progress=20)
    action.refresh_from_db()
    assert (action.stage, action.progress) == ("studies", 20)
    assert Notification.objects.filter(verb=services.VERB_STAGE, recipient=author).count() == 1
    services.action_update(actor=agent, action=action, stage=Action.Stage.DONE, budget_spent=Decimal("11500"))
    action.refresh_from_db()
    assert action.progress == 100 and action.actual_end is not None
    assert Notification.objects.filter(verb=services.VERB_STAGE, recipient=author).count() == 2


def test_action_rules(decision, agent):
    with pytest.raises(ValidationError) as error:
        services.action_create(actor=agent, decision=decision, title="Piste", stage="abandoned", progress=120,
                               budget_planned=Decimal("-1"), planned_start=datetime.date(2026, 5, 1),
                               planned_end=datetime.date(2026, 4, 1))
    assert set(error.value.message_dict) == {"abandon_reason", "progress", "budget_planned", "planned_end"}


def test_lateness_and_tracker_totals(decision, agent, sceaux):
    today = datetime.date(2026, 12, 6)
    late = services.action_create(actor=agent, decision=decision, title="Préau", stage="works", progress=60,
                                  budget_planned=Decimal("1000"), budget_spent=Decimal("700"),
                                  planned_end=datetime.date(2026, 6, 30))
    services.action_create(actor=agent, decision=decision, title="Cour", stage="done", progress=100,
                           budget_planned=Decimal("500"), budget_spent=Decimal("450"),
                           planned_end=datetime.date(2026, 6, 30))
    assert late.is_late(today) and list(Action.objects.late(today)) == [late]
    board = services.tracker(organisation_ids=sceaux.descendant_ids())
    assert board["totals"]["planned"] == Decimal("1500") and board["totals"]["spent"] == Decimal("1150")
    assert board["done"] == 1
    narrowed = services.tracker(organisation_ids=sceaux.descendant_ids(), filters=services.TrackerFilters(year=2025))
    assert list(narrowed["decisions"]) == []


def test_a_contributions_own_action_tells_its_people_only_and_shows_in_its_trail(decision, proposals, proposal,
                                                                                author, resident, agent):
    from concerto.components.proposals import services as proposal_services

    other = proposal_services.proposal_create(author=resident, component=proposals, title="Un verger au parc",
                                              text="Des pommiers au parc.")
    shared = services.action_create(actor=agent, decision=decision, title="Plan d’ensemble")
    own = services.action_open(actor=agent, decision=decision, item=proposal, explanation="Retenue.",
                               budget_planned=Decimal("1000"))
    assert services.action_open(actor=agent, decision=decision, item=proposal, explanation="Retenue.") == own
    services.action_open(actor=agent, decision=decision, item=other, explanation="Retenue aussi.")
    assert own.link.target_id == proposal.pk and own.title == proposal.title
    assert services.action_of(proposal) == own and services.actions_of(type(proposal), [other.pk])[other.pk] != own
    Notification.objects.all().delete()
    services.action_progress_add(actor=agent, action=own, text="Les travaux commencent.", stage="works")
    told = set(Notification.objects.filter(verb=services.VERB_STAGE).values_list("recipient_id", flat=True))
    assert told == {author.pk}  # the other proposal's author hears nothing of this one's works
    # The trail of each proposal lists its own action, not the other's nor the whole decision's.
    assert [action.pk for action in services.trail_of(proposal)[0].carried_by()] == [own.pk]
    figures = services.with_action_figures(type(proposal).objects.filter(pk__in=[proposal.pk]))
    assert (figures[0].action_stage, figures[0].action_progress) == ("works", 0)
    assert shared.link is None
