"""The demo has a member of a Montreuil association who commented « au nom de » it, shown as such."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from concerto.core.mobilisation.models import ActorMember
from concerto.core.participation.models import Comment, Contribution

pytestmark = pytest.mark.django_db


def test_the_demo_member_of_a_montreuil_association_commented_on_its_behalf(client):
    call_command("load_demo", verbosity=0)
    member = ActorMember.objects.get(user__email="asso@montreuil.demo")
    assert member.status == "confirmed" and member.actor.organisation.slug == "montreuil"
    comment = Comment.objects.get(author=member.user)
    assert Contribution.objects.get(kind="participation.comment", target_id=comment.pk).on_behalf_of == member.actor
    page = client.get(comment.get_absolute_url().split("#")[0]).content.decode()
    assert "Yasmina Benali — au nom de Maison de quartier Lounès-Matoub" in page
    client.force_login(member.user)
    account = client.get(reverse("mobilisation_account:memberships")).content.decode()
    assert "Maison de quartier Lounès-Matoub" in account
    call_command("load_demo", verbosity=0)  # safe to run again
    assert Comment.objects.filter(author=member.user).count() == 1
