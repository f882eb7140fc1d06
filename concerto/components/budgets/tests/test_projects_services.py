"""The services of projects: budgets, submission, review, merges, the list put to the vote, follow-up."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from concerto.components.budgets import services
from concerto.components.budgets.models import Budget, Project
from concerto.components.budgets.tests.test_projects_setup import *  # noqa: F403 - the fixtures
from concerto.components.budgets.tests.test_projects_setup import (
    MONTREUIL_POINT,
    SCEAUX_POINT,
    cast_ballot,
    configure,
    fake_image,
    image_upload,
    review,
    submit,
)
from concerto.core.audit.models import AuditEntry
from concerto.core.participation.models import Notification
from concerto.core.participation.services import comment_create, follow_add
from concerto.testing import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The messages are checked in English, their source language (the French ones are checked by pages)."""
    with translation.override("en"):
        yield


# Budgets ----------------------------------------------------------------------------------------------

def test_budget_with_equal_shares_and_cumulative_ballots_is_refused_with_the_reason(component, agent):
    with pytest.raises(ValidationError) as error:
        services.budget_create(actor=agent, component=component, name="Quartiers", amount=50_000,
                               ballot_kind="cumulative", rule="mes")
    assert "Method of Equal Shares counts approval and knapsack ballots" in str(error.value.message_dict["rule"])
    assert not Budget.objects.filter(component=component).exists()


def test_budget_voters_area_must_be_the_organisation_or_one_of_its_communes(component, agent, montreuil, sceaux):
    with pytest.raises(ValidationError) as error:
        services.budget_create(actor=agent, component=component, name="Ailleurs", amount=1000, scope=montreuil)
    assert "scope" in error.value.message_dict
    budget = services.budget_create(actor=agent, component=component, name="Ici", amount=1000, scope=sceaux)
    assert budget.voters_area == sceaux
    assert AuditEntry.objects.filter(action="budgets.budget_created", target_id=str(budget.pk)).exists()


def test_budget_amount_must_be_positive_whole_euros(component, agent):
    for amount in (0, -5, "12,50", "", None):
        with pytest.raises(ValidationError) as error:
            services.budget_create(actor=agent, component=component, name="Zéro", amount=amount)
        assert "amount" in error.value.message_dict


def test_budget_voting_rules_freeze_once_someone_voted_but_its_name_can_change(budget, agent, resident):
    cast_ballot(budget, resident)
    with pytest.raises(services.ProjectError) as error:
        services.budget_update(actor=agent, budget=budget, amount=200_000)
    assert "already voted" in error.value.message
    with pytest.raises(services.ProjectError):
        services.budget_update(actor=agent, budget=budget, rule="mes")
    services.budget_update(actor=agent, budget=budget, name="Budget communal")
    budget.refresh_from_db()
    assert (budget.name, budget.amount, budget.rule) == ("Budget communal", 100_000, "greedy")


def test_budget_voting_rules_change_freely_before_any_ballot(budget, agent):
    services.budget_update(actor=agent, budget=budget, ballot_kind="knapsack", min_share=50, rule="mes")
    budget.refresh_from_db()
    assert (budget.ballot_kind, budget.min_share, budget.rule) == ("knapsack", 50, "mes")


# Submission -------------------------------------------------------------------------------------------

def test_resident_submits_a_project_recorded_in_the_ledger_and_the_audit(component, budget, author, category):
    project = submit(component, author, category=category)
    assert project.budget == budget  # the only budget is chosen for the author
    assert project.estimated_cost == 20_000
    assert AuditEntry.objects.filter(action="budgets.project_created", target_id=str(project.pk)).exists()
    from concerto.core.participation.models import Contribution
    assert Contribution.objects.filter(kind="budgets.project", target_id=project.pk).count() == 1


@pytest.mark.parametrize("cost, message", [
    (0, "more than 0"), (-100, "more than 0"), (100_001, "more than the budget"), ("beaucoup", "whole number"),
    (None, "estimate of the cost"),
])
def test_submission_with_a_bad_cost_says_what_is_wrong(component, budget, author, cost, message):
    with pytest.raises(ValidationError) as error:
        submit(component, author, estimated_cost=cost)
    assert message in " ".join(error.value.message_dict["estimated_cost"])
    assert not Project.objects.exists()


def test_submission_needs_a_budget_when_there_are_several(component, budget, author, agent):
    services.budget_create(actor=agent, component=component, name="Quartier des Blagis", amount=30_000)
    with pytest.raises(ValidationError) as error:
        submit(component, author)
    assert "Choose the budget" in error.value.message_dict["budget"][0]


def test_submission_title_over_150_characters_is_refused(component, budget, author):
    with pytest.raises(ValidationError) as error:
        submit(component, author, title="a" * 151)
    assert "150" in error.value.message_dict["title"][0]


def test_submission_strips_scripts_from_the_description(component, budget, author):
    project = submit(component, author, text='<p>Des arbres</p><script>alert(1)</script><a href="javascript:x">x</a>')
    assert "<script" not in project.text and "javascript:" not in project.text
    assert "Des arbres" in project.text


def test_submission_outside_the_commune_is_refused(boundaries, component, budget, author, sceaux):
    with pytest.raises(ValidationError) as error:
        submit(component, author, point=MONTREUIL_POINT)
    assert "outside Sceaux" in error.value.message_dict["location"][0]
    project = submit(component, author, point=SCEAUX_POINT)
    assert project.commune == sceaux


def test_submission_far_away_is_refused_even_without_boundaries(component, budget, author):
    with pytest.raises(ValidationError) as error:
        submit(component, author, point=(45.76, 4.83))  # Lyon
    assert "outside the Métropole" in error.value.message_dict["location"][0]


def test_submission_with_a_fake_image_is_refused(component, budget, author):
    with pytest.raises(ValidationError) as error:
        submit(component, author, image=fake_image(), image_alt="Un jardin")
    assert "not an image we accept" in error.value.message_dict["image"][0]


def test_submission_with_an_image_needs_its_description(component, budget, author):
    with pytest.raises(ValidationError) as error:
        submit(component, author, image=image_upload())
    assert "image_alt" in error.value.message_dict


def test_submission_when_closed_says_when_it_opened_or_closes(component, budget, author, step):
    configure(component, step=step, submissions_open=False)
    with pytest.raises(services.ProjectError) as error:
        submit(component, author)
    assert "Submissions of projects are closed." in error.value.message


def test_author_edits_until_the_review_starts(project, author, agent):
    services.project_update(actor=author, project=project, title="Un grand jardin partagé", estimated_cost=25_000)
    project.refresh_from_db()
    assert (project.title, project.estimated_cost) == ("Un grand jardin partagé", 25_000)
    review(project, agent, eligibility="")
    with pytest.raises(services.ProjectError) as error:
        services.project_update(actor=author, project=project, title="Encore")
    assert "started to review" in error.value.message


def test_only_the_author_edits_or_withdraws(project, resident):
    with pytest.raises(services.ProjectError):
        services.project_update(actor=resident, project=project, title="Piratage")
    with pytest.raises(services.ProjectError):
        services.project_withdraw(actor=resident, project=project)


def test_withdrawn_project_leaves_the_public_list(project, author):
    services.project_withdraw(actor=author, project=project)
    assert not Project.objects.public().filter(pk=project.pk).exists()
    assert AuditEntry.objects.filter(action="budgets.project_withdrawn").exists()


# Review -----------------------------------------------------------------------------------------------

def test_ineligible_needs_a_reason(project, agent):
    with pytest.raises(ValidationError) as error:
        review(project, agent, eligibility="ineligible")
    assert "reason" in error.value.message_dict["eligibility_reason"][0]


def test_evaluation_sets_the_final_cost_and_keeps_the_history(project, agent, admin_sceaux):
    review(project, agent, cost=18_000, notes="Devis des espaces verts")
    review(project, admin_sceaux, cost=19_500, feasibility="with_changes")
    project.refresh_from_db()
    assert project.final_cost == 19_500 and project.feasibility == "with_changes"
    assert [e.cost_estimate for e in project.evaluations.all()] == [19_500, 18_000]
    assert AuditEntry.objects.filter(action="budgets.project_evaluated").count() == 2


def test_evaluation_cost_over_the_budget_is_refused(project, agent):
    with pytest.raises(ValidationError) as error:
        review(project, agent, cost=150_000)
    assert "more than the budget" in error.value.message_dict["cost_estimate"][0]


def test_author_and_followers_are_told_the_public_answer_once(project, agent, author, resident):
    follow_add(user=resident, target=project)
    review(project, agent, public_answer="<p>Projet retenu pour le vote.</p>")
    review(project, agent, public_answer="<p>Projet retenu pour le vote.</p>", notes="même réponse")
    answers = Notification.objects.filter(verb="budgets.project_answered")
    assert sorted(n.recipient_id for n in answers) == sorted([author.pk, resident.pk])
    assert "Projet retenu" in answers.first().body


def test_merge_points_to_the_target_keeps_comments_and_tells_both_authors(component, budget, project, agent, author):
    other_author = UserFactory(email="autre@example.org")
    other = submit(component, other_author, title="Jardin partagé rue Houdan")
    comment_create(author=other_author, target=other, body="Bonne idée")
    services.project_merge(actor=agent, project=other, into=project)
    other.refresh_from_db()
    assert other.merged_into == project and not other.on_ballot
    assert other.comments.count() == 1
    told = set(Notification.objects.filter(verb="budgets.project_merged").values_list("recipient_id", flat=True))
    assert told == {author.pk, other_author.pk}


def test_merge_into_itself_or_a_merged_project_is_refused(component, budget, project, agent, author):
    with pytest.raises(ValidationError):
        services.project_merge(actor=agent, project=project, into=project)
    second = submit(component, author, title="Deux")
    third = submit(component, author, title="Trois")
    services.project_merge(actor=agent, project=second, into=project)
    with pytest.raises(ValidationError) as error:
        services.project_merge(actor=agent, project=third, into=second)
    assert "itself merged" in error.value.message_dict["into"][0]


# The list put to the vote -----------------------------------------------------------------------------

def test_only_eligible_projects_with_a_final_cost_go_on_the_ballot(component, budget, project, agent, author):
    pending = submit(component, author, title="Pas encore étudié")
    with pytest.raises(ValidationError):
        services.ballot_list_set(actor=agent, budget=budget, project_ids=[pending.pk])
    review(project, agent)
    services.ballot_list_set(actor=agent, budget=budget, project_ids=[project.pk])
    project.refresh_from_db()
    assert project.on_ballot and project.ballot_number == 1


def test_publishing_an_empty_list_is_refused(budget, agent):
    with pytest.raises(services.ProjectError) as error:
        services.ballot_list_publish(actor=agent, budget=budget)
    assert "at least one project" in error.value.message


def test_published_list_changes_only_after_unpublishing_and_never_after_a_vote(budget, project, agent, author,
                                                                              resident):
    review(project, agent)
    services.ballot_list_set(actor=agent, budget=budget, project_ids=[project.pk])
    services.ballot_list_publish(actor=agent, budget=budget)
    assert Notification.objects.filter(verb="budgets.project_on_ballot", recipient=author).exists()
    with pytest.raises(services.ProjectError) as error:
        services.ballot_list_set(actor=agent, budget=budget, project_ids=[])
    assert "unpublish" in error.value.message
    with pytest.raises(services.ProjectError):
        review(project, agent, cost=10_000)  # the cost on a published ballot is frozen
    services.ballot_list_unpublish(actor=agent, budget=budget)
    services.ballot_list_publish(actor=agent, budget=budget)
    cast_ballot(budget, resident, project)
    with pytest.raises(services.ProjectError) as error:
        services.ballot_list_unpublish(actor=agent, budget=budget)
    assert "already voted" in error.value.message
    budget.refresh_from_db()
    assert budget.ballot_published_at is not None


def test_ineligible_review_takes_a_project_off_an_unpublished_list(budget, project, agent):
    review(project, agent)
    services.ballot_list_set(actor=agent, budget=budget, project_ids=[project.pk])
    review(project, agent, eligibility="ineligible", eligibility_reason="Hors compétence communale")
    project.refresh_from_db()
    assert not project.on_ballot


# Follow-up --------------------------------------------------------------------------------------------

def test_progress_update_moves_the_projects_action_and_tells_its_people(project, agent, author, resident,
                                                                       django_capture_on_commit_callbacks,
                                                                       mailoutbox):
    Project.objects.filter(pk=project.pk).update(selected=True)
    project.refresh_from_db()
    follow_add(user=resident, target=project)
    with django_capture_on_commit_callbacks(execute=True):
        update = services.progress_update_create(
            actor=agent, project=project, stage="works", progress=40, text="Les bacs arrivent.",
            photos=[(image_upload(), "Les bacs posés")], works_start=timezone.localdate())
    action = services.project_action(project)
    assert update.action == action and (action.stage, action.progress) == ("works", 40)
    assert action.planned_start == timezone.localdate() and action.budget_planned == project.cost
    assert action.photos.get().alt == "Les bacs posés" and not project.photos.exists()
    link = action.link
    assert (link.target_id, link.status, link.decision.space) == (project.pk, "adopted", project.component.space)
    told = set(Notification.objects.filter(verb="accountability.action_stage").values_list("recipient_id",
                                                                                            flat=True))
    assert {author.pk, resident.pk} <= told
    assert len(mailoutbox) >= 1
    assert AuditEntry.objects.filter(action="action.progress_added").exists()


def test_the_winners_of_one_budget_share_one_decision_each_with_its_own_action(component, budget, project, author,
                                                                             agent, resident):
    other = submit(component, author, title="Un second projet lauréat")
    Project.objects.filter(pk__in=[project.pk, other.pk]).update(selected=True, budget=budget)
    project.refresh_from_db()
    other.refresh_from_db()
    follow_add(user=resident, target=other)
    services.progress_update_create(actor=agent, project=project, stage="studies", progress=10, text="Études.")
    services.progress_update_create(actor=agent, project=other, stage="works", progress=50, text="Chantier.")
    first, second = services.project_action(project), services.project_action(other)
    assert first != second and first.decision == second.decision
    assert (first.stage, second.stage) == ("studies", "works")
    # The other winner's stage concerns its own people only.
    assert not Notification.objects.filter(verb="accountability.action_stage", recipient=resident,
                                           title__contains=project.title).exists()
    assert Notification.objects.filter(verb="accountability.action_stage", recipient=resident,
                                       title__contains=other.title).exists()


def test_progress_update_refuses_fake_photos_missing_descriptions_and_losers(project, agent):
    with pytest.raises(services.ProjectError):
        services.progress_update_create(actor=agent, project=project, stage="studies", progress=0, text="x")
    Project.objects.filter(pk=project.pk).update(selected=True)
    with pytest.raises(ValidationError) as error:
        services.progress_update_create(actor=agent, project=project, stage="works", progress=101, text="x",
                                        photos=[(image_upload(), "a"), (image_upload(), "")])
    assert set(error.value.message_dict) == {"progress", "photo_2_alt"}
    with pytest.raises(ValidationError) as error:
        services.progress_update_create(actor=agent, project=project, stage="works", progress=5, text="x",
                                        photos=[(fake_image(), "Un faux")])
    assert set(error.value.message_dict) == {"photo_1"}
    assert services.project_action(project) is None  # nothing saved, not even the action
    with pytest.raises(ValidationError):
        services.progress_update_create(actor=agent, project=project, stage="works", progress=5, text="x",
                                        photos=[(image_upload(), "a")] * 4)


# Open data and personal data --------------------------------------------------------------------------

def test_export_holds_no_personal_data(project, agent, author):
    review(project, agent, notes="Note interne confidentielle")
    rows = services.export_projects(project.component)
    assert len(rows) == 1
    flat = repr(rows)
    assert author.email not in flat and "Alex Dupont" not in flat and "confidentielle" not in flat
    assert rows[0]["final_cost"] == 18_000


def test_summary_counts_public_projects(project, component):
    text = str(services.summary(component, None))
    assert "1 project" in text or "1 projet" in text


def test_erasing_an_author_keeps_the_project_without_them(project, author):
    assert services.personal_data(author)["budget_projects"][0]["title"] == project.title
    services.erase_personal_data(author)
    project.refresh_from_db()
    assert project.author is None
    assert services.personal_data(author)["budget_projects"] == []


# Uploads ----------------------------------------------------------------------------------------------

def _phone_photo(name="jardin.jpg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from concerto.testing import jpeg_with_gps

    return SimpleUploadedFile(name, jpeg_with_gps(size=(300, 200)), content_type="image/jpeg")


def test_project_images_and_progress_photos_are_stored_without_gps_or_device(component, budget, author, agent):
    from concerto.testing import stored_image_metadata

    project = submit(component, author, image=_phone_photo(), image_alt="Le coin du jardin")
    assert project.image.name.endswith(".jpg") and project.image.width == 300
    assert stored_image_metadata(project.image) == {}
    services.project_update(actor=author, project=project, image=_phone_photo("autre.jpg"))
    project.refresh_from_db()
    assert "autre" in project.image.name and stored_image_metadata(project.image) == {}
    Project.objects.filter(pk=project.pk).update(selected=True)
    services.progress_update_create(actor=agent, project=project, stage="works", progress=10, text="Chantier",
                                    photos=[(_phone_photo("chantier.jpg"), "Le chantier")])
    assert stored_image_metadata(services.project_action(project).photos.get().image) == {}
