"""Asking, moderation through the kernel's queue, supports and the commitment, assignment, answers, figures."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from concerto.components.questions import services
from concerto.components.questions.figures import figures
from concerto.components.questions.models import Question
from concerto.components.questions.tests.conftest import supporters
from concerto.core.audit.models import AuditEntry
from concerto.core.participation.models import Contribution, ModerationReport, Notification
from concerto.core.participation.services import moderation_hide
from concerto.testing import UserFactory

pytestmark = pytest.mark.django_db


def test_a_new_question_waits_in_the_kernel_s_moderation_queue_and_is_not_public(asked, sceaux):
    assert asked.status == Question.Status.PENDING
    assert not asked.is_public
    assert Question.objects.public().count() == 0
    report = ModerationReport.objects.get(object_id=asked.pk, status=ModerationReport.Status.OPEN)
    assert report.organisation == sceaux and report.reporter is None
    assert Contribution.objects.filter(kind="questions.question", target_id=asked.pk).exists()
    assert AuditEntry.objects.filter(action="questions.question_asked").exists()


def test_kept_by_a_moderator_the_question_is_published_and_its_author_told(published, resident):
    assert published.status == Question.Status.PUBLISHED and published.is_public
    assert published.published_at is not None
    assert Notification.objects.filter(recipient=resident, verb="questions.published").exists()


def test_hidden_by_a_moderator_the_question_is_refused(asked, moderator, resident):
    moderation_hide(moderator=moderator, content=asked, reason="Propos injurieux")
    asked.refresh_from_db()
    assert asked.status == Question.Status.REJECTED and not asked.is_public
    assert Notification.objects.filter(recipient=resident, verb="questions.rejected").exists()


def test_bad_questions_are_refused_with_french_messages(questions, resident, profile, montreuil, agent):
    with pytest.raises(ValidationError) as error:
        services.question_ask(author=resident, component=questions, title="   ", text="x" * 5000)
    assert error.value.message_dict["title"] == ["Écrivez votre question."]
    assert "trop long" in error.value.message_dict["text"][0]
    assert Question.objects.count() == 0


def test_a_resident_of_another_commune_may_ask(questions, montreuil):
    stranger = UserFactory(email="montreuillois@example.org", residence=montreuil)
    question = services.question_ask(author=stranger, component=questions, title="Et le RER B ?")
    assert question.pk and question.addressee is None  # the mayor's office


def test_one_support_per_account_and_never_one_s_own(published, resident):
    helper = UserFactory(email="aide@example.org")
    services.question_support(user=helper, question=published)
    with pytest.raises(services.QuestionError, match="déjà"):
        services.question_support(user=helper, question=published)
    with pytest.raises(services.QuestionError, match="propre question"):
        services.question_support(user=resident, question=published)
    published.refresh_from_db()
    assert published.support_count == 1
    assert Contribution.objects.filter(kind="questions.support").count() == 1


def test_a_pending_question_cannot_be_supported(asked):
    with pytest.raises(services.QuestionError, match="pas publiée"):
        services.question_support(user=UserFactory(email="x@example.org"), question=asked)


def test_at_the_threshold_the_commune_commits_to_answer_within_its_deadline(committed, resident):
    assert committed.support_count == 2
    assert committed.committed_at is not None
    assert committed.due_at - committed.committed_at == timedelta(days=30)
    assert Notification.objects.filter(recipient=resident, verb="questions.committed").exists()
    assert not committed.is_late


def test_only_an_elected_official_of_the_commune_can_be_assigned(committed, agent, elected, outsider):
    with pytest.raises(services.QuestionError):
        services.question_assign(actor=agent, question=committed, assignee=agent)
    services.question_assign(actor=agent, question=committed, assignee=elected)
    assert Notification.objects.filter(recipient=elected, verb="questions.assigned").exists()


def test_the_assigned_official_answers_others_are_refused(committed, agent, elected, resident, sceaux):
    from concerto.testing import persona

    other = persona("autre-elu@sceaux.example.org", role="elected", organisation=sceaux)
    services.question_assign(actor=agent, question=committed, assignee=elected)
    with pytest.raises(PermissionDenied):
        services.question_answer(actor=other, question=committed, text="Réponse.")
    with pytest.raises(ValidationError) as error:
        services.question_answer(actor=elected, question=committed, text="  ")
    assert "Écrivez une réponse" in str(error.value)
    answered = services.question_answer(actor=elected, question=committed, text="Les travaux reprennent lundi.")
    assert answered.answered_at is not None and answered.answered_by_name == "Claire Dubois"
    assert not answered.is_late
    assert Notification.objects.filter(verb="questions.answered", recipient=resident).exists()
    assert Notification.objects.filter(verb="questions.answered").count() == 3  # the author and 2 supporters
    assert AuditEntry.objects.filter(action="questions.answer_published").exists()


def test_an_answer_saved_as_a_draft_is_not_published(committed, agent):
    services.question_answer(actor=agent, question=committed, text="Brouillon.", publish=False)
    committed.refresh_from_db()
    assert committed.answered_at is None and committed.answer_text == "Brouillon."


def test_an_answer_after_the_deadline_is_late_and_so_is_a_question_waiting_past_it(committed, agent):
    Question.objects.filter(pk=committed.pk).update(due_at=timezone.now() - timedelta(days=1))
    committed.refresh_from_db()
    assert committed.is_late
    assert Question.objects.late().filter(pk=committed.pk).exists()
    services.question_answer(actor=agent, question=committed, text="Pardon du retard.")
    committed.refresh_from_db()
    assert committed.is_late


def test_the_video_link_must_be_a_web_address_and_the_event_one_of_the_commune_s(committed, agent):
    with pytest.raises(ValidationError) as error:
        services.question_answer(actor=agent, question=committed, video_url="javascript:alert(1)",
                                 event_url="/ailleurs/")
    assert set(error.value.message_dict) == {"video_url", "event_url"}


def make_event(space, *, title="Réunion mobilité", organiser="Claire Dubois", days=5):
    """A public event of SPACE's commune, made through the model (the component never imports events)."""
    from django.apps import apps

    from concerto.testing import ComponentFactory

    component = ComponentFactory(space=space, kind="events", title="Rencontres")
    start = timezone.now() + timedelta(days=days)
    return apps.get_model("events", "Event").objects.create(
        component=component, title=title, starts_at=start, ends_at=start + timedelta(hours=2), organiser=organiser,
        published=True)


def test_an_answer_may_invite_to_one_of_the_commune_s_coming_events(committed, agent, space):
    event = make_event(space)
    services.question_answer(actor=agent, question=committed, event_url=event.get_absolute_url())
    committed.refresh_from_db()
    assert committed.answer_event_title == "Réunion mobilité" and committed.is_answered


def test_the_figures_count_asked_answered_late_and_the_median_answer_time(committed, agent, resident, questions):
    Question.objects.filter(pk=committed.pk).update(published_at=timezone.now() - timedelta(days=4))
    committed.refresh_from_db()
    services.question_answer(actor=agent, question=committed, text="Réponse.")
    result = figures(Question.objects.public())
    assert result["asked"] == 1 and result["answered"] == 1 and result["late"] == 0
    assert result["median_days"] == pytest.approx(4, abs=0.1)


def test_answers_for_gives_the_answers_to_my_questions_for_digests(committed, agent, resident):
    supporter = committed.supports.first().user
    nobody = UserFactory(email="personne@example.org")
    assert list(Question.objects.answers_for(resident)) == []
    services.question_answer(actor=agent, question=committed, text="Réponse.")
    assert list(Question.objects.answers_for(resident)) == [committed]
    assert list(Question.objects.answers_for(supporter)) == [committed]
    assert list(Question.objects.answers_for(nobody)) == []
    assert list(Question.objects.answers_for(resident, since=timezone.now() + timedelta(hours=1))) == []


def test_a_profile_needs_an_elected_role(agent, sceaux, resident):
    with pytest.raises(ValidationError) as error:
        services.official_profile_save(actor=agent, organisation=sceaux, user=resident, name="X", mandate="Y")
    assert "user" in error.value.message_dict


def test_erasing_an_account_keeps_its_questions_without_author(published, resident):
    from concerto.components.questions.manifest import erase_personal_data, personal_data

    assert personal_data(resident)["questions_asked"][0]["question"] == published.title
    erase_personal_data(resident)
    published.refresh_from_db()
    assert published.author is None


def test_many_supporters_commit_once(published):
    for user in supporters(5, start=10):
        services.question_support(user=user, question=published)
    assert AuditEntry.objects.filter(action="questions.commitment").count() == 1
