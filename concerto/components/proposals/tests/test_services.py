"""Submitting, editing, withdrawing, supporting and answering proposals: rules, counters, ledger, audit,
notifications."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from concerto.components.proposals import services
from concerto.components.proposals.models import Proposal, Support
from concerto.core.audit.models import AuditEntry
from concerto.core.participation.models import Contribution, Notification
from concerto.core.participation.services import comment_create, follow_add, moderation_hide, moderation_restore
from concerto.testing import StepFactory, UserFactory, at_once, needs_postgresql

from .conftest import configure

pytestmark = pytest.mark.django_db


def _contributions(kind):
    return Contribution.objects.filter(kind=kind)


def test_a_resident_submits_a_proposal_written_to_the_ledger_and_the_audit_log(proposals, resident, category):
    proposal = services.proposal_create(
        author=resident, component=proposals, title="  Un   composteur  au square  ",
        text="<p onclick='x()'>Pour nos déchets <script>alert(1)</script><a href='javascript:evil()'>lien</a></p>",
        category=category)
    assert proposal.title == "Un composteur au square"
    assert "<script>" not in proposal.text and "onclick" not in proposal.text and "javascript:" not in proposal.text
    assert "Pour nos déchets" in proposal.text
    assert proposal.title_words == " composteur square "
    assert "dechets" in proposal.search_text
    [contribution] = _contributions("proposals.proposal")
    assert contribution.author == resident and contribution.residence.slug == "sceaux"
    assert contribution.component == proposals and contribution.channel == "web"
    assert AuditEntry.objects.filter(action="proposals.proposal_created", actor=resident,
                                     target_id=str(proposal.pk)).exists()


@pytest.mark.parametrize("title, text, field, message", [
    ("", "Texte", "title", "Donnez un titre à votre proposition."),
    ("x" * 151, "Texte", "title", "150 caractères au plus"),
    ("Titre", "   ", "text", "Décrivez votre proposition."),
    ("Titre", "<script>alert(1)</script>", "text", "Décrivez votre proposition."),
    ("Titre", "x" * 5001, "text", "5000 caractères au plus"),
])
def test_bad_content_is_refused_with_french_messages(proposals, resident, title, text, field, message):
    with translation.override("fr"), pytest.raises(ValidationError) as error:
        services.proposal_create(author=resident, component=proposals, title=title, text=text)
    assert message in " ".join(error.value.message_dict[field])
    assert not Proposal.objects.exists()


def test_a_category_of_another_component_is_refused(proposals, resident, space, agent):
    from concerto.testing import ComponentFactory

    other = ComponentFactory(space=space, kind="proposals")
    foreign = services.category_create(actor=agent, component=other, name="Ailleurs")
    with translation.override("fr"), pytest.raises(ValidationError) as error:
        services.proposal_create(author=resident, component=proposals, title="Titre", text="Texte", category=foreign)
    assert "Choisissez une des catégories de la liste." in error.value.message_dict["category"]


def test_submissions_closed_in_the_current_step_say_when_they_ended(proposals, space, step, resident):
    today = timezone.localdate()
    earlier = StepFactory(space=space, title="Dépôt", start_date=today - timedelta(days=40),
                          end_date=today - timedelta(days=10))
    configure(proposals, step=earlier, submissions_open=True)
    configure(proposals, step=step, submissions_open=False)
    with translation.override("fr"), pytest.raises(services.ProposalError) as refusal:
        services.proposal_create(author=resident, component=proposals, title="Trop tard", text="Texte")
    assert "Le dépôt des propositions est fermé." in refusal.value.message
    assert (today - timedelta(days=10)).strftime("%Y") in refusal.value.message
    assert not Proposal.objects.exists()


def test_the_location_is_stored_with_its_commune(proposals, resident, boundaries):
    proposal = services.proposal_create(author=resident, component=proposals, title="Banc", text="Un banc",
                                        point=(48.7787, 2.2905))
    assert (proposal.latitude, proposal.longitude) == (48.7787, 2.2905)
    assert proposal.commune.slug == "sceaux"


def test_a_point_outside_the_metropole_is_refused_by_the_service_too(proposals, resident, boundaries):
    with translation.override("fr"), pytest.raises(ValidationError) as error:
        services.proposal_create(author=resident, component=proposals, title="Lyon", text="Texte",
                                 point=(45.7640, 4.8357))
    assert "hors de la Métropole du Grand Paris" in " ".join(error.value.message_dict["location"])


def test_the_author_edits_until_the_first_support(proposal, author, resident):
    services.proposal_update(actor=author, proposal=proposal, title="Planter des pommiers dans les écoles")
    proposal.refresh_from_db()
    assert proposal.title == "Planter des pommiers dans les écoles"
    assert "pommier" in proposal.title_words
    assert AuditEntry.objects.get(action="proposals.proposal_updated").data == {"fields": ["title"]}

    services.support_add(user=resident, proposal=proposal)
    with translation.override("fr"), pytest.raises(services.ProposalError) as refusal:
        services.proposal_update(actor=author, proposal=proposal, title="Autre chose")
    assert "soutiens ou des commentaires" in refusal.value.message
    proposal.refresh_from_db()
    assert proposal.title == "Planter des pommiers dans les écoles"


def test_a_first_comment_also_ends_editing(proposal, author, resident):
    comment_create(author=resident, target=proposal, body="Bonne idée")
    proposal.refresh_from_db()
    assert proposal.comment_count == 1
    assert proposal.edit_blocker()
    with pytest.raises(services.ProposalError):
        services.proposal_update(actor=author, proposal=proposal, title="Autre chose")


def test_only_the_author_edits_or_withdraws(proposal, resident):
    with pytest.raises(services.ProposalError):
        services.proposal_update(actor=resident, proposal=proposal, title="Piraté")
    with pytest.raises(services.ProposalError):
        services.proposal_withdraw(actor=resident, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.title.startswith("Planter") and not proposal.is_withdrawn


def test_withdrawing_keeps_the_proposal_and_supports_but_refuses_new_ones(proposal, author, resident):
    services.support_add(user=resident, proposal=proposal)
    services.proposal_withdraw(actor=author, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.is_withdrawn and proposal.support_count == 1
    assert not _contributions("proposals.proposal").exists()
    assert AuditEntry.objects.filter(action="proposals.proposal_withdrawn").exists()
    other = UserFactory()
    with translation.override("fr"), pytest.raises(services.ProposalError) as refusal:
        services.support_add(user=other, proposal=proposal)
    assert "retiré" in refusal.value.message


def test_a_support_counts_once_and_goes_to_the_ledger(proposal, resident):
    services.support_add(user=resident, proposal=proposal)
    with translation.override("fr"), pytest.raises(services.ProposalError) as refusal:
        services.support_add(user=resident, proposal=proposal)
    assert "Vous soutenez déjà cette proposition." in refusal.value.message
    proposal.refresh_from_db()
    assert proposal.support_count == 1 and Support.objects.count() == 1
    [contribution] = _contributions("proposals.support")
    assert contribution.author == resident and contribution.residence.slug == "sceaux"


def test_a_racing_second_support_hits_the_unique_constraint_and_keeps_the_first(proposal, resident, monkeypatch):
    services.support_add(user=resident, proposal=proposal)
    # Two requests at the same time both pass the "already supports?" check: the database decides.
    real_filter = Support.objects.filter

    def blind_filter(*args, **kwargs):
        queryset = real_filter(*args, **kwargs)
        return queryset.none() if "proposal" in kwargs and "user" in kwargs else queryset

    monkeypatch.setattr(Support.objects, "filter", blind_filter)
    with translation.override("fr"), pytest.raises(services.ProposalError) as refusal:
        services.support_add(user=resident, proposal=proposal)
    monkeypatch.undo()
    assert "Vous soutenez déjà cette proposition." in refusal.value.message
    proposal.refresh_from_db()
    assert proposal.support_count == 1 and Support.objects.count() == 1
    assert _contributions("proposals.support").count() == 1


def test_an_author_cannot_support_their_own_proposal(proposal, author):
    with translation.override("fr"), pytest.raises(services.ProposalError) as refusal:
        services.support_add(user=author, proposal=proposal)
    assert "Vous ne pouvez pas soutenir votre propre proposition." == refusal.value.message


def test_the_limit_per_participant_names_the_limit(proposals, step, author, resident):
    configure(proposals, step=step, supports_per_participant=2)
    ideas = [services.proposal_create(author=author, component=proposals, title=f"Idée {n}", text="Texte")
             for n in range(3)]
    services.support_add(user=resident, proposal=ideas[0])
    services.support_add(user=resident, proposal=ideas[1])
    with translation.override("fr"), pytest.raises(services.ProposalError) as refusal:
        services.support_add(user=resident, proposal=ideas[2])
    assert "Vous avez déjà soutenu 2 propositions" in refusal.value.message
    services.support_remove(user=resident, proposal=ideas[0])
    services.support_add(user=resident, proposal=ideas[2])
    assert Support.objects.filter(user=resident).count() == 2


def test_supports_closed_refuse_and_say_when(proposals, space, step, proposal, resident):
    today = timezone.localdate()
    later = StepFactory(space=space, title="Soutiens", start_date=today + timedelta(days=6),
                        end_date=today + timedelta(days=20))
    configure(proposals, step=step, supports_open=False)
    configure(proposals, step=later, supports_open=True)
    with translation.override("fr"), pytest.raises(services.ProposalError) as refusal:
        services.support_add(user=resident, proposal=proposal)
    assert "Les soutiens sont fermés." in refusal.value.message and "Ouvre le" in refusal.value.message


def test_unsupporting_removes_the_row_the_ledger_entry_and_one_from_the_count(proposal, resident):
    services.support_add(user=resident, proposal=proposal)
    assert services.support_remove(user=resident, proposal=proposal) is True
    proposal.refresh_from_db()
    assert proposal.support_count == 0
    assert not Support.objects.exists() and not _contributions("proposals.support").exists()
    assert services.support_remove(user=resident, proposal=proposal) is False
    actions = list(AuditEntry.objects.filter(action__startswith="proposals.support").order_by("pk")
                   .values_list("action", flat=True))
    assert actions == ["proposals.support_added", "proposals.support_removed"]


def test_unsupporting_is_refused_once_supports_are_closed(proposals, step, proposal, resident):
    services.support_add(user=resident, proposal=proposal)
    configure(proposals, step=step, supports_open=False)
    with pytest.raises(services.ProposalError):
        services.support_remove(user=resident, proposal=proposal)
    assert Support.objects.count() == 1


def test_the_comment_counter_follows_comments_moderation_and_deletion(proposal, resident, moderator):
    first = comment_create(author=resident, target=proposal, body="Oui !")
    comment_create(author=moderator, target=proposal, body="Réponse", parent=first)
    proposal.refresh_from_db()
    assert proposal.comment_count == 2
    moderation_hide(moderator=moderator, content=first, reason="Hors sujet")
    proposal.refresh_from_db()
    assert proposal.comment_count == 1
    moderation_restore(moderator=moderator, content=first)
    proposal.refresh_from_db()
    assert proposal.comment_count == 2
    first.delete()  # its reply goes with it
    proposal.refresh_from_db()
    assert proposal.comment_count == 0


def test_a_comment_on_something_else_does_not_touch_proposals(proposal, resident, agent):
    from concerto.components.news.services import post_create
    from concerto.testing import ComponentFactory

    news = ComponentFactory(space=proposal.component.space, kind="news")
    post = post_create(author=agent, component=news, title="Info", body="Texte", publish=True)
    comment_create(author=resident, target=post, body="Merci")
    proposal.refresh_from_db()
    assert proposal.comment_count == 0


def test_an_answer_notifies_the_author_and_the_followers_after_commit(
        proposal, author, resident, agent, django_capture_on_commit_callbacks):
    follow_add(user=resident, target=proposal)
    follow_add(user=agent, target=proposal)  # the agent who answers is not told about their own answer
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_answer(actor=agent, proposal=proposal, status="accepted",
                                 text="<p>Nous planterons <strong>dix arbres</strong>.</p><script>x</script>")
        assert mail.outbox == []
    proposal.refresh_from_db()
    assert proposal.answer_status == "accepted" and "<script>" not in proposal.answer_text
    assert proposal.answered_by == agent
    assert sorted(m.to[0] for m in mail.outbox) == ["auteur@example.org", "resident@example.org"]
    notification = Notification.objects.get(recipient=author)
    assert "Sceaux" in notification.title and "acceptée" in notification.title
    assert notification.url == proposal.get_absolute_url()
    assert AuditEntry.objects.get(action="proposals.proposal_answered").data == {"status": "accepted"}
    # The same answer again changes nothing and tells nobody again.
    services.proposal_answer(actor=agent, proposal=proposal, status="accepted", text=proposal.answer_text)
    assert Notification.objects.filter(verb="proposals.answered").count() == 2


def test_a_rejection_needs_a_reason(proposal, agent):
    with translation.override("fr"), pytest.raises(ValidationError) as error:
        services.proposal_answer(actor=agent, proposal=proposal, status="rejected", text="  ")
    assert "Expliquez pourquoi" in " ".join(error.value.message_dict["text"])
    with pytest.raises(ValidationError):
        services.proposal_answer(actor=agent, proposal=proposal, status="maybe", text="x")
    proposal.refresh_from_db()
    assert proposal.answer_status == ""


def test_an_answered_proposal_can_no_longer_be_edited(proposal, author, agent):
    services.proposal_answer(actor=agent, proposal=proposal, status="under_study")
    with pytest.raises(services.ProposalError):
        services.proposal_update(actor=author, proposal=proposal, title="Changement")


def test_categories_are_unique_per_component_case_insensitively(proposals, agent):
    services.category_create(actor=agent, component=proposals, name="Mobilités")
    with translation.override("fr"), pytest.raises(ValidationError) as error:
        services.category_create(actor=agent, component=proposals, name="  mobilités ")
    assert "Une catégorie porte déjà ce nom." in error.value.message_dict["name"]
    assert AuditEntry.objects.filter(action="proposals.category_created").count() == 1


def test_spaces_inside_a_category_name_count_once(proposals, agent):
    # The rule of the kernel's category services, shared with the budgets component.
    first = services.category_create(actor=agent, component=proposals, name="Mobilités   douces")
    assert first.name == "Mobilités douces"
    with translation.override("fr"), pytest.raises(ValidationError) as error:
        services.category_create(actor=agent, component=proposals, name="mobilités douces")
    assert "Une catégorie porte déjà ce nom." in error.value.message_dict["name"]


def test_a_category_is_added_only_to_a_proposals_component(space, agent):
    from concerto.testing import ComponentFactory

    budgets = ComponentFactory(space=space, kind="budgets")
    with pytest.raises(ValueError):
        services.category_create(actor=agent, component=budgets, name="Mobilités")


def test_deleting_a_category_keeps_its_proposals(proposal, category, agent):
    services.category_delete(actor=agent, category=category)
    proposal.refresh_from_db()
    assert proposal.category is None
    assert AuditEntry.objects.filter(action="proposals.category_deleted").exists()


def test_supported_ids_is_one_query(proposals, author, resident, django_assert_num_queries):
    ideas = [services.proposal_create(author=author, component=proposals, title=f"Idée {n}", text="Texte")
             for n in range(4)]
    services.support_add(user=resident, proposal=ideas[1])
    with django_assert_num_queries(1):
        assert services.supported_ids(user=resident, proposals=ideas) == {ideas[1].pk}


def test_contribution_target_of_a_support_is_the_support(proposal, resident):
    support = services.support_add(user=resident, proposal=proposal)
    contribution = _contributions("proposals.support").get()
    assert contribution.target_type == ContentType.objects.get_for_model(Support)
    assert contribution.target_id == support.pk


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_clicks_make_one_support(proposal, resident):
    """A real race, on PostgreSQL: two connections support at the same instant; one support is kept."""
    needs_postgresql()
    # Each click with its own copy of the proposal, read before they start, as two requests would.
    copies = [Proposal.objects.select_related("component__space__organisation").get(pk=proposal.pk)
              for _n in range(2)]

    def click(fresh):
        services.support_add(user=resident, proposal=fresh)
        return "supported"

    outcomes = [outcome.message if isinstance(outcome, services.ProposalError) else outcome
                for outcome in at_once(click, copies)]
    assert sorted(outcomes)[-1] == "supported" and len(outcomes) == 2
    assert "déjà" in sorted(outcomes)[0] or "already" in sorted(outcomes)[0]
    proposal.refresh_from_db()
    assert proposal.support_count == 1 and Support.objects.count() == 1
