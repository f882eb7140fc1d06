"""Writing and publishing news: audit entries and notifications to followers, after commit."""

import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult

from concerto.components.news import services
from concerto.components.news.models import Post
from concerto.core.audit.models import AuditEntry
from concerto.core.participation.models import Notification
from concerto.core.participation.services import follow_add
from concerto.core.spaces.models import Space
from concerto.testing import UserFactory

pytestmark = pytest.mark.django_db


def test_agent_creates_a_draft_and_an_audit_entry_is_written(agent, news, sceaux):
    post = services.post_create(author=agent, component=news, title="  Atelier  ", body="Samedi.")
    assert post.status == Post.Status.DRAFT and post.published_at is None
    assert post.title == "Atelier"
    entry = AuditEntry.objects.get(action="news.post_created")
    assert entry.actor == agent and entry.organisation == sceaux and entry.target_id == str(post.pk)


def test_agent_publishes_a_post_and_followers_get_an_email_after_commit(
        agent, resident, news, space, sceaux, django_capture_on_commit_callbacks):
    follow_add(user=resident, target=space)
    commune_follower = UserFactory(email="voisin@example.org")
    follow_add(user=commune_follower, target=sceaux)
    follow_add(user=agent, target=space)  # the author is not told about their own post
    with django_capture_on_commit_callbacks(execute=True):
        post = services.post_create(author=agent, component=news, title="Les ateliers commencent",
                                    body="Rendez-vous samedi.", publish=True)
        assert mail.outbox == []  # nothing leaves before the transaction commits
    assert sorted(m.to[0] for m in mail.outbox) == ["resident@example.org", "voisin@example.org"]
    message = mail.outbox[0]
    assert "Les ateliers commencent" in message.subject
    assert "Bonjour" in message.body
    assert f"/sceaux/budget-2026/actualites/{news.pk}/{post.pk}/" in message.body
    assert AuditEntry.objects.filter(action="news.post_published", target_id=str(post.pk),
                                     actor=agent).exists()
    assert Notification.objects.filter(recipient=resident, verb="news.published",
                                       emailed_at__isnull=False).exists()


def test_a_rolled_back_publication_sends_nothing(agent, resident, news, space,
                                                django_capture_on_commit_callbacks):
    follow_add(user=resident, target=space)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.post_create(author=agent, component=news, title="Annonce", body="Texte", publish=True)
    assert len(callbacks) == 1
    # The test transaction is rolled back: the callbacks never run, no email leaves.
    assert mail.outbox == []


def test_with_the_database_queue_the_email_waits_for_a_worker(
        settings, run_task_worker, agent, resident, news, space, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    follow_add(user=resident, target=space)
    with django_capture_on_commit_callbacks(execute=True):
        services.post_create(author=agent, component=news, title="Réunion publique", body="Mardi.",
                             publish=True)
    assert mail.outbox == []
    assert DBTaskResult.objects.count() == 1
    run_task_worker()
    assert [m.to for m in mail.outbox] == [["resident@example.org"]]
    assert "Réunion publique" in mail.outbox[0].subject


def test_publishing_again_after_unpublishing_does_not_notify_twice(
        agent, resident, published_post, space, django_capture_on_commit_callbacks):
    follow_add(user=resident, target=space)
    with django_capture_on_commit_callbacks(execute=True):
        services.post_unpublish(actor=agent, post=published_post)
        services.post_publish(actor=agent, post=published_post)
    assert mail.outbox == []
    entries = AuditEntry.objects.filter(target_id=str(published_post.pk), action__startswith="news.")
    assert list(entries.order_by("pk").values_list("action", flat=True)) == [
        "news.post_created", "news.post_published", "news.post_unpublished", "news.post_published"]


def test_a_post_of_an_unpublished_space_notifies_nobody(agent, resident, news, space,
                                                          django_capture_on_commit_callbacks):
    follow_add(user=resident, target=space)
    Space.objects.filter(pk=space.pk).update(status=Space.Status.DRAFT)
    news.space.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.post_create(author=agent, component=news, title="Interne", body="Texte", publish=True)
    assert mail.outbox == []


def test_update_audits_the_changed_fields_only(agent, published_post):
    services.post_update(actor=agent, post=published_post, title="Nouveau titre", body=published_post.body)
    entry = AuditEntry.objects.get(action="news.post_updated")
    assert entry.data == {"fields": ["title"]}
    services.post_update(actor=agent, post=published_post, title="Nouveau titre")
    assert AuditEntry.objects.filter(action="news.post_updated").count() == 1


def test_delete_removes_the_post_and_audits_it(agent, published_post):
    pk = published_post.pk
    services.post_delete(actor=agent, post=published_post)
    assert not Post.objects.filter(pk=pk).exists()
    entry = AuditEntry.objects.get(action="news.post_deleted")
    assert entry.target_id == str(pk) and entry.data == {"title": "Les ateliers commencent"}


def test_a_post_image_is_stored_without_gps_or_device(news, agent):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from concerto.testing import jpeg_with_gps, stored_image_metadata

    photo = SimpleUploadedFile("atelier.jpg", jpeg_with_gps(size=(120, 80)), content_type="image/jpeg")
    post = services.post_create(author=agent, component=news, title="Atelier", body="Samedi.", image=photo,
                                image_alt="Le jardin")
    assert post.image.name.endswith(".jpg") and stored_image_metadata(post.image) == {}
    services.post_update(actor=agent, post=post, image=SimpleUploadedFile("b.jpg", jpeg_with_gps(size=(60, 40))))
    post.refresh_from_db()
    assert post.image.width == 60 and stored_image_metadata(post.image) == {}
