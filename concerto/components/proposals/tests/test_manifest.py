"""The proposals component as the registry, the space page, RGPD and the demo see it."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import resolve
from django.utils import translation

from concerto.components.proposals import services
from concerto.components.proposals.models import Proposal, Support
from concerto.core import registry
from concerto.core.participation.models import Contribution
from concerto.core.participation.rules import comments_allowed
from concerto.testing import SpaceFactory, StepFactory, UserFactory

from .conftest import configure

pytestmark = pytest.mark.django_db


def test_registry_finds_the_proposals_manifest_at_start_up():
    manifest = registry.get("proposals")
    assert manifest.segment == "propositions"
    assert manifest.api_router == "concerto.components.proposals.api.router"
    assert [action.name for action in manifest.actions] == ["submit", "support", "comment"]
    assert "propositions" in registry.reserved_slugs()
    assert resolve("/sceaux/budget/propositions/7/").view_name == "proposals:index"
    assert resolve("/sceaux/budget/propositions/7/12/").view_name == "proposals:detail"
    assert resolve("/gestion/sceaux/budget/propositions/7/").view_name == "proposals_backoffice:index"


def test_settings_default_to_the_manifest_values(proposals):
    assert proposals.setting("proposals_per_page") == 20
    assert proposals.setting("support_threshold") == 0
    assert proposals.setting("default_order") == "random"
    assert proposals.step_setting("submissions_open") is True
    assert proposals.step_setting("supports_per_participant") == 0


@pytest.mark.parametrize("raw, field, message", [
    ({"proposals_per_page": "4"}, "proposals_per_page", "au moins 5"),
    ({"support_threshold": "-1"}, "support_threshold", "au moins 0"),
    ({"support_threshold": "beaucoup"}, "support_threshold", "nombre entier"),
    ({"default_order": "alphabetique"}, "default_order", "choix possibles"),
])
def test_bad_settings_are_rejected_with_a_french_message(raw, field, message):
    manifest = registry.get("proposals")
    with translation.override("fr"), pytest.raises(ValidationError) as error:
        manifest.clean_settings({"comments_enabled": "on", **raw})
    assert message in " ".join(error.value.message_dict[field])


def test_a_bad_step_setting_is_rejected():
    with translation.override("fr"), pytest.raises(ValidationError) as error:
        registry.get("proposals").clean_step_settings({"supports_per_participant": "1001"})
    assert "au plus 1000" in " ".join(error.value.message_dict["supports_per_participant"])


def test_comments_follow_the_global_and_step_settings(proposals, step, proposal):
    assert comments_allowed(proposal)
    configure(proposals, step=step, comments_open=False)
    assert not comments_allowed(Proposal.objects.get(pk=proposal.pk))
    configure(proposals, step=step, comments_open=True)
    configure(proposals, comments_enabled=False)
    assert not comments_allowed(Proposal.objects.get(pk=proposal.pk))


def test_statistics_summary_and_exports_count_public_proposals(proposals, proposal, resident, author, moderator):
    from concerto.core.participation.services import comment_create, moderation_hide

    services.support_add(user=resident, proposal=proposal)
    comment_create(author=resident, target=proposal, body="Oui")
    hidden = services.proposal_create(author=author, component=proposals, title="Masquée", text="x")
    moderation_hide(moderator=moderator, content=hidden)
    manifest = registry.get("proposals")
    assert manifest.statistics(proposals) == {"proposals": 1, "supports": 1, "comments": 1}
    rows = manifest.exports["proposals"](proposals)
    assert [row["title"] for row in rows] == [proposal.title]
    assert not {"author", "email", "supporters"} & set(rows[0])
    with translation.override("fr"):
        summary = manifest.summary(proposals, None)
    assert "1 proposition." in summary and "Déposez la vôtre jusqu’au" in summary


def test_the_space_page_shows_the_component_summary(client, proposals, proposal):
    html = client.get(proposals.space.get_absolute_url()).content.decode()
    assert "Idées pour Sceaux" in html and "1 proposition." in html


def test_personal_data_lists_proposals_and_supports(proposal, author, resident):
    services.support_add(user=resident, proposal=proposal)
    manifest = registry.get("proposals")
    assert manifest.personal_data(author)["proposals"][0]["title"] == proposal.title
    assert manifest.personal_data(resident)["proposal_supports"][0]["proposal"] == proposal.title


def test_erasing_keeps_proposals_and_supports_without_their_people(proposal, author, resident):
    services.support_add(user=resident, proposal=proposal)
    manifest = registry.get("proposals")
    manifest.erase_personal_data(author)
    manifest.erase_personal_data(resident)
    proposal.refresh_from_db()
    assert proposal.author is None and proposal.support_count == 1
    assert Support.objects.get().user is None
    assert not Contribution.objects.filter(author__in=[author, resident], kind__startswith="proposals.").exists()
    assert Contribution.objects.filter(kind="proposals.support").count() == 1
    # Deleting the account afterwards (or directly) keeps the counts true as well.
    get_user_model().objects.filter(pk=resident.pk).delete()
    proposal.refresh_from_db()
    assert proposal.support_count == Support.objects.filter(proposal=proposal).count() == 1


def test_the_whole_account_deletion_goes_through_the_hook(client, proposal, resident):
    from concerto.core.accounts.services import account_delete

    services.support_add(user=resident, proposal=proposal)
    account_delete(user=resident)
    proposal.refresh_from_db()
    assert proposal.support_count == 1 and Support.objects.get().user is None


def test_the_demo_loads_forty_proposals_with_supports_comments_and_answers(sceaux, agent):
    from concerto.components.proposals.demo import demo_load

    space = SpaceFactory(organisation=sceaux, slug="demo")
    StepFactory(space=space)
    demo_load(actor=agent, space=space)
    component = space.components.get(kind="proposals")
    assert component.published and component.proposal_categories.count() == 5
    public = Proposal.objects.public().filter(component=component)
    assert public.count() == 40
    assert Support.objects.filter(component=component).count() > 40
    assert public.filter(comment_count__gt=0).exists()
    assert public.exclude(answer_status="").count() == 4
    assert public.filter(latitude__isnull=False).count() >= 25
    assert all(p.author.email.endswith("@demo.concerto.test") for p in public.select_related("author"))
    assert UserFactory._meta.model.objects.filter(email__endswith="@demo.concerto.test").count() == 16
