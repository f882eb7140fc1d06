"""Submitting and supporting proposals reserved to verified residents: the services refuse the others with a
message saying where to verify, the pages show that message instead of the form or the button, and the
actions stay open to everyone until an agent reserves them."""

import pytest
from django.urls import reverse

from concerto.components.proposals import services
from concerto.components.proposals.models import Proposal, Support
from concerto.core.accounts.verification import VerificationRequired
from concerto.core.participation.models import Channel, Contribution
from concerto.testing import commune, verified_resident

pytestmark = pytest.mark.django_db

FORM = {"title": "Un composteur au square", "text": "Un composteur partagé près des jardins familiaux."}


def _url(component, name="index", *args):
    space = component.space
    return reverse(f"proposals:{name}", args=[space.organisation.slug, space.slug, component.pk, *args])


def _reserve(component, *actions):
    component.verified_actions = list(actions)
    component.save()


def _submit(component, author, channel=Channel.WEB):
    return services.proposal_create(author=author, component=component, channel=channel, **FORM)


# --- Open to everyone by default --------------------------------------------------------------------------

def test_submitting_and_supporting_stay_open_to_everyone_by_default(client, proposals, proposal, resident):
    assert _submit(proposals, resident).pk
    assert services.support_add(user=resident, proposal=proposal).pk
    client.force_login(resident)
    assert "Publier ma proposition" in client.get(_url(proposals, "create")).content.decode()
    assert "Vérifier ma résidence" not in client.get(_url(proposals)).content.decode()


# --- Submitting ---------------------------------------------------------------------------------------------

def test_an_unverified_resident_cannot_submit_and_is_told_where_to_verify(proposals, resident):
    _reserve(proposals, "submit")
    with pytest.raises(VerificationRequired) as refused:
        _submit(proposals, resident)
    assert "Seuls les habitants vérifiés de Sceaux" in refused.value.message
    assert refused.value.url.startswith(reverse("accounts:verification_start", args=["sceaux"]))
    assert not Proposal.objects.exists() and not Contribution.objects.exists()


def test_a_verified_resident_of_the_commune_can_submit(proposals, resident):
    _reserve(proposals, "submit")
    verified_resident(resident)
    assert _submit(proposals, resident).author == resident


def test_a_verification_in_another_commune_does_not_let_anyone_submit(proposals, resident):
    _reserve(proposals, "submit")
    verified_resident(resident, commune("montreuil"))
    with pytest.raises(VerificationRequired):
        _submit(proposals, resident)
    assert not Proposal.objects.exists()


def test_reserving_supports_only_leaves_submissions_open(proposals, resident):
    _reserve(proposals, "support")
    assert _submit(proposals, resident).pk


def test_a_proposal_typed_by_an_agent_from_a_meeting_is_still_accepted(proposals):
    # The person in the room did not sign in: the agent types what they wrote on paper.
    _reserve(proposals, "submit")
    assert _submit(proposals, None, channel=Channel.IN_PERSON).author is None
    with pytest.raises(VerificationRequired):
        _submit(proposals, None)


def test_the_submission_page_shows_why_and_where_to_verify_instead_of_the_form(client, proposals, resident):
    _reserve(proposals, "submit")
    client.force_login(resident)
    response = client.get(_url(proposals, "create"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Seuls les habitants vérifiés de Sceaux peuvent le faire" in page
    assert "Vérifier ma résidence" in page and "Publier ma proposition" not in page
    assert reverse("accounts:verification_start", args=["sceaux"]) in page
    # A form sent anyway (an old tab) is refused with the same words, and nothing is saved.
    response = client.post(_url(proposals, "create"), FORM)
    assert response.status_code == 403 and "Seuls les habitants vérifiés" in response.content.decode()
    assert not Proposal.objects.exists()


def test_the_list_shows_the_message_instead_of_the_submit_button(client, proposals, resident):
    _reserve(proposals, "submit")
    client.force_login(resident)
    page = client.get(_url(proposals)).content.decode()
    assert "Seuls les habitants vérifiés de Sceaux peuvent le faire" in page
    assert _url(proposals, "create") not in page
    client.logout()
    page = client.get(_url(proposals)).content.decode()
    assert "Connectez-vous, puis vérifiez votre résidence" in page and "Se connecter" in page
    verified_resident(resident)
    client.force_login(resident)
    page = client.get(_url(proposals)).content.decode()
    assert _url(proposals, "create") in page and "Vérifier ma résidence" not in page


def test_a_verified_resident_submits_through_the_page(client, proposals, resident):
    _reserve(proposals, "submit")
    verified_resident(resident)
    client.force_login(resident)
    response = client.post(_url(proposals, "create"), FORM)
    assert response.status_code == 302
    assert Proposal.objects.get().title == FORM["title"]


# --- Supporting ---------------------------------------------------------------------------------------------

def test_an_unverified_resident_cannot_support_and_is_told_where_to_verify(proposal, resident):
    _reserve(proposal.component, "support")
    with pytest.raises(VerificationRequired) as refused:
        services.support_add(user=resident, proposal=proposal)
    assert "Vérifiez d'abord votre résidence" in refused.value.message
    assert not Support.objects.exists()
    proposal.refresh_from_db()
    assert proposal.support_count == 0


def test_a_verified_resident_of_the_commune_can_support(proposal, resident):
    _reserve(proposal.component, "support")
    verified_resident(resident)
    assert services.support_add(user=resident, proposal=proposal).user == resident
    proposal.refresh_from_db()
    assert proposal.support_count == 1


def test_a_verification_in_another_commune_does_not_let_anyone_support(proposal, resident):
    _reserve(proposal.component, "support")
    verified_resident(resident, commune("montreuil"))
    with pytest.raises(VerificationRequired):
        services.support_add(user=resident, proposal=proposal)
    assert not Support.objects.exists()


def test_the_proposal_page_shows_why_and_where_to_verify_instead_of_the_support_button(client, proposal,
                                                                                        resident):
    _reserve(proposal.component, "support")
    client.force_login(resident)
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "Seuls les habitants vérifiés de Sceaux peuvent le faire" in page
    assert "Vérifier ma résidence" in page and "Soutenir cette proposition" not in page
    # A support sent anyway (an old tab) is refused with the same words, and nothing is saved.
    response = client.post(_url(proposal.component, "support", proposal.pk))
    assert response.status_code == 403 and "Seuls les habitants vérifiés" in response.content.decode()
    assert not Support.objects.exists()
    client.logout()
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "Connectez-vous, puis vérifiez votre résidence" in page


def test_a_verified_resident_supports_through_the_page(client, proposal, resident):
    _reserve(proposal.component, "support")
    verified_resident(resident)
    client.force_login(resident)
    assert "Soutenir cette proposition" in client.get(proposal.get_absolute_url()).content.decode()
    response = client.post(_url(proposal.component, "support", proposal.pk))
    assert response.status_code == 302
    assert Support.objects.get().user == resident


def test_the_api_offers_no_way_to_submit_or_support(client, proposals, resident):
    # The proposals API is read only: these actions cannot bypass the check there.
    _reserve(proposals, "submit", "support")
    response = client.post("/api/v1/proposals/proposals", FORM, content_type="application/json")
    assert response.status_code in (404, 405)
    assert not Proposal.objects.exists()
