"""Actions reserved to verified residents: the component's settings page reserves them, the services refuse
the others with a message saying where to verify, and the pages show that message instead of the form."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse

from concerto.core.accounts.verification import VerificationRequired, action_refusal
from concerto.core.participation.models import Comment
from concerto.core.participation.services import comment_create
from concerto.core.spaces import services as spaces
from concerto.testing import commune, verified_actions_reserved, verified_resident

pytestmark = pytest.mark.django_db


def _reserve(component, *actions):
    component.verified_actions = list(actions)
    component.save()


def test_an_agent_reserves_comments_to_verified_residents_from_the_settings_page(news, agent, staff_client):
    client = staff_client(agent)
    url = verified_actions_reserved(client, news, action="comment", label="Commenter une actualité")
    assert news.requires_verification("comment")
    # Unticking every box opens the action to all again.
    client.post(url, {"title": news.title})
    news.refresh_from_db()
    assert news.verified_actions == []


def test_an_unknown_action_is_refused_and_nothing_changes(news, agent):
    with pytest.raises(ValidationError) as error:
        spaces.component_update_settings(actor=agent, component=news, settings={}, step_settings={},
                                         verified_actions=["comment", "fly"])
    assert "fly" in error.value.message_dict["verified_actions"][0]
    news.refresh_from_db()
    assert news.verified_actions == []


def test_an_unverified_resident_cannot_comment_and_is_told_where_to_verify(news, post, resident):
    _reserve(news, "comment")
    with pytest.raises(VerificationRequired) as refused:
        comment_create(author=resident, target=post, body="Bonne idée.")
    assert "Seuls les habitants vérifiés de Sceaux" in refused.value.message
    assert refused.value.url.startswith(reverse("accounts:verification_start", args=["sceaux"]))
    assert not Comment.objects.exists()
    verified_resident(resident)
    assert comment_create(author=resident, target=post, body="Bonne idée.").pk


def test_a_verification_in_another_commune_does_not_count(news, post, resident):
    _reserve(news, "comment")
    verified_resident(resident, commune("montreuil"))
    assert action_refusal(user=resident, component=news, action="comment") is not None


def test_the_page_shows_why_and_where_to_verify_instead_of_the_form(client, news, post, resident):
    _reserve(news, "comment")
    client.force_login(resident)
    page = client.get(post.get_absolute_url()).content.decode()
    assert "Seuls les habitants vérifiés de Sceaux peuvent le faire" in page
    assert "Vérifier ma résidence" in page and "Publier mon commentaire" not in page
    # A comment posted anyway (an old tab) is refused with the same words, and nothing is saved.
    url = reverse("participation:comment", args=[ContentType.objects.get_for_model(post).pk, post.pk])
    response = client.post(url, {"body": "Bonne idée."})
    assert response.status_code == 403 and "Seuls les habitants vérifiés" in response.content.decode()
    assert "Vérifier ma résidence" in response.content.decode()  # the 403 page says where to verify
    assert not Comment.objects.exists()
    client.logout()
    page = client.get(post.get_absolute_url()).content.decode()
    assert "Connectez-vous, puis vérifiez votre résidence" in page


def test_comments_stay_open_to_all_by_default(news, post, resident):
    assert comment_create(author=resident, target=post, body="Bonne idée.").pk
