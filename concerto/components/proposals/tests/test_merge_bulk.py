"""Merging duplicate proposals, bulk answers and assignment to an evaluator (service and back-office)."""

import pytest
from django.urls import reverse

from concerto import testing
from concerto.components.proposals import services
from concerto.components.proposals.models import Proposal, Support
from concerto.core.participation.models import Follow, Notification
from concerto.core.participation.services import follow_add

pytestmark = pytest.mark.django_db


def _url(component, name="index", *args):
    space = component.space
    return reverse(f"proposals_backoffice:{name}", args=[space.organisation.slug, space.slug, component.pk, *args])


@pytest.fixture
def twin(proposals, resident):
    return services.proposal_create(author=resident, component=proposals, title="Des arbres fruitiers à l'école",
                                    text="Un verger dans les cours.")


def _supporter(email):
    return testing.UserFactory(email=email, display_name=email.split("@")[0])


def test_merge_moves_supports_and_followers_once_and_notifies_the_authors(agent, proposal, twin, author, resident):
    both, only_twin = _supporter("both@example.org"), _supporter("twin@example.org")
    services.support_add(user=both, proposal=proposal)
    services.support_add(user=both, proposal=twin)
    services.support_add(user=only_twin, proposal=twin)
    services.support_add(user=author, proposal=twin)  # the target's author never supports their own
    follow_add(user=both, target=proposal)
    follow_add(user=both, target=twin)

    services.proposals_merge(actor=agent, into=proposal, proposals=[twin])

    proposal.refresh_from_db()
    twin.refresh_from_db()
    assert twin.merged_into == proposal and twin.support_count == 0
    assert set(Support.objects.filter(proposal=proposal).values_list("user__email", flat=True)) == {
        "both@example.org", "twin@example.org"}
    assert proposal.support_count == 2
    followers = set(Follow.objects.filter(target_id=proposal.pk, target_type__model="proposal")
                    .values_list("user__email", flat=True))
    assert {"both@example.org", "resident@example.org"} <= followers
    notice = Notification.objects.get(recipient=resident, verb="proposals.merged")
    assert "Planter des arbres fruitiers" in notice.title and notice.url == proposal.get_absolute_url()


def test_merging_proposals_of_two_spaces_is_refused_and_changes_nothing(agent, proposal, author, sceaux):
    other_space = testing.SpaceFactory(organisation=sceaux, slug="autre", title="Autre démarche")
    testing.StepFactory(space=other_space, title="Dépôt")
    elsewhere = testing.ComponentFactory(space=other_space, kind="proposals", title="Autres idées")
    stranger = services.proposal_create(author=author, component=elsewhere, title="Ailleurs", text="Autre espace")
    with pytest.raises(services.ProposalError, match="espaces ou des listes différents"):
        services.proposals_merge(actor=agent, into=proposal, proposals=[stranger])
    stranger.refresh_from_db()
    assert stranger.merged_into is None


def test_the_agent_merges_from_the_list_and_the_merged_page_leads_to_the_target(
        staff_client, agent, proposals, proposal, twin, client):
    http = staff_client(agent)
    listing = http.get(_url(proposals)).content.decode()
    assert "Fusionner" in listing and "Évaluateur" in listing
    response = http.post(_url(proposals, "bulk"), {"proposals": [proposal.pk, twin.pk], "action": "merge",
                                                   "into": proposal.pk}, follow=True)
    assert "fusionnée(s) dans" in response.content.decode()
    assert "Fusionnée avec «\u00a0Planter des arbres fruitiers" in http.get(_url(proposals)).content.decode()
    page = http.get(twin.get_absolute_url(), follow=True)
    assert page.redirect_chain[-1][0] == proposal.get_absolute_url()
    assert "a été fusionnée avec celle-ci" in page.content.decode()
    public_list = http.get(proposals.get_absolute_url()).content.decode()
    assert "Des arbres fruitiers à l&#x27;école" not in public_list


def test_the_back_office_refuses_a_merge_with_a_proposal_of_another_space(
        staff_client, agent, proposals, proposal, author, sceaux):
    other_space = testing.SpaceFactory(organisation=sceaux, slug="autre", title="Autre démarche")
    testing.StepFactory(space=other_space, title="Dépôt")
    elsewhere = testing.ComponentFactory(space=other_space, kind="proposals", title="Autres idées")
    stranger = services.proposal_create(author=author, component=elsewhere, title="Ailleurs", text="x")
    response = staff_client(agent).post(_url(proposals, "bulk"), {
        "proposals": [proposal.pk, stranger.pk], "action": "merge", "into": proposal.pk}, follow=True)
    assert response.status_code == 200
    assert "Rien n’a été modifié" in response.content.decode()
    assert not Proposal.objects.filter(merged_into__isnull=False).exists()


def test_bulk_answer_and_assign(staff_client, agent, proposals, proposal, twin):
    http = staff_client(agent)
    http.post(_url(proposals, "bulk"), {"proposals": [proposal.pk, twin.pk], "action": "assign",
                                        "assignee": agent.pk})
    assert set(Proposal.objects.values_list("assignee", flat=True)) == {agent.pk}
    response = http.post(_url(proposals, "bulk"), {"proposals": [proposal.pk, twin.pk], "action": "answer",
                                                   "status": "rejected", "text": ""}, follow=True)
    html = response.content.decode()
    assert "0 proposition(s) modifiée(s), 2 refusée(s)" in html and "Expliquez pourquoi" in html
    http.post(_url(proposals, "bulk"), {"proposals": [proposal.pk, twin.pk], "action": "answer",
                                        "status": "under_study"})
    assert set(Proposal.objects.values_list("answer_status", flat=True)) == {"under_study"}


def test_the_outsider_cannot_use_the_bulk_actions(staff_client, outsider, proposals, proposal, twin):
    response = staff_client(outsider).post(_url(proposals, "bulk"), {
        "proposals": [proposal.pk, twin.pk], "action": "merge", "into": proposal.pk})
    assert response.status_code in (403, 404)
    assert not Proposal.objects.filter(merged_into__isnull=False).exists()
