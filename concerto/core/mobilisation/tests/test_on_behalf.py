"""Actors' accounts contributing « au nom de » their organisation: an agent invites an account, the person confirms,
then signs proposals and comments for the actor; only members get the choice, only for their own commune's actors;
the person may leave; erasure drops the link and keeps the contribution."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse

from concerto.components.proposals import services as proposal_services
from concerto.components.proposals.models import Proposal
from concerto.core.accounts.services import account_delete
from concerto.core.audit.models import AuditEntry
from concerto.core.mobilisation import members
from concerto.core.mobilisation.models import Actor, ActorMember
from concerto.core.participation.models import Comment, Contribution

pytestmark = pytest.mark.django_db

SIGNED = "Camille Martin — au nom de Les Amis du Parc"


@pytest.fixture
def association(sceaux):
    return Actor.objects.create(organisation=sceaux, name="Les Amis du Parc", kind="association")


@pytest.fixture
def member(association, resident, agent):
    invited = members.member_add(actor=agent, item=association, email=resident.email)
    return members.member_confirm(user=resident, member=invited)


def _create_url(proposals):
    return reverse("proposals:create", args=["sceaux", proposals.space.slug, proposals.pk])


def _proposal_data(category, **extra):
    return {"title": "Un composteur au square", "text": "Pour les épluchures du quartier.",
            "category": category.pk, **extra}


def _comment_url(target):
    return reverse("participation:comment", args=[ContentType.objects.get_for_model(target).pk, target.pk])


def test_only_members_see_the_choice(client, proposals, proposal, member, author):
    client.force_login(member.user)
    for url in (_create_url(proposals), proposal.get_absolute_url()):
        page = client.get(url).content.decode()
        assert "Vous contribuez" in page and "Au nom de Les Amis du Parc" in page and "En mon nom" in page
    client.force_login(author)
    for url in (_create_url(proposals), proposal.get_absolute_url()):
        page = client.get(url).content.decode()
        assert "Vous contribuez" not in page and "Amis du Parc" not in page


def test_a_member_posts_a_proposal_on_behalf_of_the_association_and_it_shows(client, proposals, category, member):
    client.force_login(member.user)
    response = client.post(_create_url(proposals), _proposal_data(category, on_behalf_of=member.actor.pk))
    assert response.status_code == 302, response.content.decode()[:2000]
    created = Proposal.objects.get(title="Un composteur au square")
    assert Contribution.objects.get(kind="proposals.proposal", target_id=created.pk).on_behalf_of == member.actor
    assert SIGNED in client.get(created.get_absolute_url()).content.decode()


def test_a_member_comments_on_behalf_or_in_their_own_name(client, proposal, member):
    client.force_login(member.user)
    assert client.post(_comment_url(proposal), {"body": "Nous soutenons.", "on_behalf_of": member.actor.pk}
                       ).status_code == 302
    assert client.post(_comment_url(proposal), {"body": "Et moi aussi.", "on_behalf_of": ""}).status_code == 302
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert page.count(f"<strong>{SIGNED}</strong>") == 1 and page.count("<strong>Camille Martin</strong>") == 1
    reply_to = Comment.objects.get(body="Et moi aussi.")
    assert client.post(_comment_url(proposal), {"body": "Réponse de l’association.", "parent": reply_to.pk,
                                                "on_behalf_of": member.actor.pk}).status_code == 302
    assert client.get(proposal.get_absolute_url()).content.decode().count(SIGNED) == 2


def test_a_non_member_posting_an_actor_id_is_refused_in_french_and_keeps_the_text(
        client, proposals, category, proposal, association, author):
    client.force_login(author)
    response = client.post(_create_url(proposals), _proposal_data(category, on_behalf_of=association.pk))
    page = response.content.decode()
    assert response.status_code == 400
    assert "au nom d’une organisation dont vous êtes membre" in page and "Un composteur au square" in page
    assert not Proposal.objects.filter(title="Un composteur au square").exists()
    response = client.post(_comment_url(proposal), {"body": "Je parle pour eux.", "on_behalf_of": association.pk})
    assert response.status_code == 400 and "Je parle pour eux." in response.content.decode()
    assert not Comment.objects.exists()


def test_an_invitation_not_yet_confirmed_gives_no_choice(client, proposals, category, association, resident, agent):
    members.member_add(actor=agent, item=association, email=resident.email)
    client.force_login(resident)
    assert "Vous contribuez" not in client.get(_create_url(proposals)).content.decode()
    assert client.post(_create_url(proposals), _proposal_data(category, on_behalf_of=association.pk)).status_code == 400


def test_another_communes_actor_is_refused(client, proposals, category, montreuil, resident, outsider):
    elsewhere = Actor.objects.create(organisation=montreuil, name="Montreuil Solidaire", kind="association")
    members.member_confirm(user=resident, member=members.member_add(actor=outsider, item=elsewhere,
                                                                    email=resident.email))
    client.force_login(resident)
    assert "Montreuil Solidaire" not in client.get(_create_url(proposals)).content.decode()
    response = client.post(_create_url(proposals), _proposal_data(category, on_behalf_of=elsewhere.pk))
    assert response.status_code == 400 and not Proposal.objects.filter(title="Un composteur au square").exists()
    with pytest.raises(ValidationError):  # the service refuses too (the API, a chat)
        proposal_services.proposal_create(author=resident, component=proposals, title="Par le service",
                                          text="Texte.", category=category, on_behalf_of=elsewhere)


def test_an_agent_invites_the_person_confirms_from_their_account_then_leaves(
        client, staff_client, agent, association, resident, proposals, category):
    actor_url = reverse("mobilisation_backoffice:actor", args=["sceaux", association.pk])
    browser = staff_client(agent)
    refused = browser.post(actor_url, {"member": "1", "member-email": "personne@example.org"})
    assert refused.status_code == 400 and "Aucun compte" in refused.content.decode()
    assert browser.post(actor_url, {"member": "1", "member-email": resident.email}).status_code == 302
    assert "en attente de la confirmation" in browser.get(actor_url).content.decode()
    browser.logout()

    client.force_login(resident)
    account = client.get(reverse("mobilisation_account:memberships")).content.decode()
    assert "Les Amis du Parc" in account and "Confirmer" in account
    invitation = ActorMember.objects.get()
    client.post(reverse("mobilisation_account:membership_confirm", args=[invitation.pk]))
    assert "Au nom de Les Amis du Parc" in client.get(_create_url(proposals)).content.decode()
    client.post(_create_url(proposals), _proposal_data(category, on_behalf_of=association.pk))
    signed = Proposal.objects.get(title="Un composteur au square")

    client.post(reverse("mobilisation_account:membership_leave", args=[invitation.pk]))
    assert not ActorMember.objects.exists()
    assert "Vous contribuez" not in client.get(_create_url(proposals)).content.decode()
    assert SIGNED in client.get(signed.get_absolute_url()).content.decode()  # what was signed stays signed
    assert set(AuditEntry.objects.filter(action__startswith="mobilisation.actor_member").values_list(
        "action", flat=True)) == {"mobilisation.actor_member_added", "mobilisation.actor_member_confirmed",
                                  "mobilisation.actor_member_left"}


def test_nobody_confirms_or_leaves_another_persons_membership(client, member, author):
    client.force_login(author)
    for name in ("membership_confirm", "membership_leave"):
        assert client.post(reverse(f"mobilisation_account:{name}", args=[member.pk])).status_code == 404
    assert ActorMember.objects.filter(pk=member.pk).exists()


def test_officials_read_members_agents_manage_them_other_communes_reach_nothing(
        staff_client, elected, agent, outsider, member):
    actor_url = reverse("mobilisation_backoffice:actor", args=["sceaux", member.actor.pk])
    remove_url = reverse("mobilisation_backoffice:member_remove", args=["sceaux", member.actor.pk, member.pk])
    browser = staff_client(elected)
    page = browser.get(actor_url).content.decode()
    assert "Camille Martin" in page and "Inviter ce compte" not in page
    assert browser.post(actor_url, {"member": "1", "member-email": "x@example.org"}).status_code == 403
    assert browser.post(remove_url).status_code == 403
    browser.logout()
    browser = staff_client(outsider)
    assert browser.get(actor_url).status_code in (403, 404)
    assert browser.post(remove_url).status_code in (403, 404)
    assert browser.get(reverse("mobilisation_backoffice:actor", args=["montreuil", member.actor.pk])
                       ).status_code == 404
    assert ActorMember.objects.filter(pk=member.pk).exists()
    browser.logout()
    browser = staff_client(agent)
    assert browser.post(remove_url).status_code == 302 and not ActorMember.objects.exists()


def test_erasing_the_person_keeps_the_contribution_and_drops_the_link(client, proposal, member):
    client.force_login(member.user)
    client.post(_comment_url(proposal), {"body": "Nous soutenons.", "on_behalf_of": member.actor.pk})
    client.logout()
    account_delete(user=member.user)
    assert not ActorMember.objects.exists()
    row = Contribution.objects.get(kind="participation.comment")
    assert row.author is None and row.on_behalf_of is None
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "Nous soutenons." in page and "Amis du Parc" not in page


def test_the_person_export_lists_their_memberships(member):
    from concerto.core.accounts.services import account_export

    exported = account_export(user=member.user)
    assert exported["actor_memberships"][0]["actor"] == "Les Amis du Parc"
