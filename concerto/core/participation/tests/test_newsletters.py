"""Newsletters (issue 15): targeting and its count, idempotent sending, one-click unsubscribe, counted links
without an open redirect, aggregate opens, the public archive and the back-office's permissions."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from concerto import testing
from concerto.core.accounts.models import User
from concerto.core.audit.models import AuditEntry
from concerto.core.errors import Refusal
from concerto.core.participation import newsletters
from concerto.core.participation.models import (
    FollowedPlace,
    Newsletter,
    NewsletterDelivery,
    NewsletterLink,
    NotificationPreference,
)
from concerto.core.participation.notifications import NEWSLETTER
from concerto.core.participation.services import follow_add
from concerto.core.spaces.models import Topic

pytestmark = pytest.mark.django_db

BODY = '<p>Bonjour ! Lisez <a href="https://www.sceaux.fr/travaux">les travaux</a>.</p><script>alert(1)</script>'


class _Queue:
    """Stands for the task queue: remembers the batches instead of running them."""

    def __init__(self):
        self.queued = []

    def enqueue(self, *args):
        self.queued.append(args)


@pytest.fixture
def queue(monkeypatch):
    fake = _Queue()
    monkeypatch.setattr(newsletters, "newsletter_batch", fake)
    return fake


@pytest.fixture
def topic(db):
    return Topic.objects.get_or_create(slug="mobilites-test", defaults={"name": "Mobilités (test)"})[0]


@pytest.fixture
def people(sceaux, space, topic):
    """Followers of Sceaux, of one of its spaces and of a topic; one who turned newsletters off; one whose
    address is not verified; one inactive; one following Montreuil only."""
    from allauth.account.models import EmailAddress

    made = {name: testing.UserFactory(email=f"{name}@example.org") for name in
            ("commune", "space", "topic", "off", "unverified", "inactive", "elsewhere", "both")}
    follow_add(user=made["commune"], target=sceaux)
    follow_add(user=made["space"], target=space)
    follow_add(user=made["topic"], target=topic)
    for name in ("off", "unverified", "inactive", "both"):
        follow_add(user=made[name], target=sceaux)
    follow_add(user=made["both"], target=space)
    follow_add(user=made["elsewhere"], target=testing.commune("montreuil"))
    NotificationPreference.objects.create(user=made["off"], verb=NEWSLETTER, channel="email", enabled=False)
    EmailAddress.objects.filter(user=made["unverified"]).update(verified=False)
    made["inactive"].is_active = False
    made["inactive"].save()
    return made


def _draft(agent, sceaux, **values):
    values = {"subject": "La lettre de décembre", "body": BODY, "to_followers": True, **values}
    return newsletters.newsletter_save(actor=agent, organisation=sceaux, **values)


def test_targeting_counts_followers_with_a_verified_address_who_allow_newsletters(agent, sceaux, people, topic):
    newsletter = _draft(agent, sceaux)
    emails = set(newsletters.newsletter_recipients(newsletter).values_list("email", flat=True))
    assert emails == {"commune@example.org", "space@example.org", "both@example.org"}
    assert newsletters.newsletter_recipient_count(newsletter) == 3
    newsletter = _draft(agent, sceaux, newsletter=newsletter, to_followers=False, topics=[topic])
    assert newsletters.newsletter_recipient_count(newsletter) == 1


def test_people_following_a_place_inside_the_commune_are_targeted(agent, sceaux, boundaries):
    inside = testing.UserFactory(email="place@example.org")
    outside = testing.UserFactory(email="far@example.org")
    FollowedPlace.objects.create(user=inside, label="Mairie de Sceaux", latitude=48.7779, longitude=2.2903, radius=300)
    FollowedPlace.objects.create(user=outside, label="Montreuil", latitude=48.8638, longitude=2.4485, radius=300)
    newsletter = _draft(agent, testing.commune("sceaux"), to_followers=False, to_places=True)
    assert list(newsletters.newsletter_recipients(newsletter).values_list("email", flat=True)) == ["place@example.org"]


def test_bad_input_is_refused_in_french(agent, sceaux):
    with pytest.raises(ValidationError) as error:
        newsletters.newsletter_save(actor=agent, organisation=sceaux, subject=" ", body="", to_followers=False,
                                    block_keys=["space:/ailleurs/"])
    assert set(error.value.message_dict) == {"subject", "blocks", "to_followers"}
    assert "objet" in error.value.message_dict["subject"][0]


def test_blocks_point_to_published_spaces_and_are_copied(agent, sceaux, space):
    keys = [choice["key"] for choice in newsletters.newsletter_block_choices(sceaux)]
    assert f"space:{space.get_absolute_url()}" in keys
    newsletter = _draft(agent, sceaux, block_keys=[f"space:{space.get_absolute_url()}"])
    assert newsletter.blocks == [{"kind": "space", "title": space.title, "url": space.get_absolute_url(),
                                  "text": space.summary}]


def test_send_goes_once_to_each_recipient_with_one_click_unsubscribe(agent, sceaux, people, space,
                                                                    django_capture_on_commit_callbacks):
    newsletter = _draft(agent, sceaux, block_keys=[f"space:{space.get_absolute_url()}"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # the batches are queued once the sending commits
        newsletters.newsletter_send(actor=agent, newsletter=newsletter)
    with pytest.raises(Refusal):
        newsletters.newsletter_send(actor=agent, newsletter=newsletter)
    newsletter.refresh_from_db()
    assert newsletter.status == Newsletter.Status.SENT and newsletter.recipients == 3
    assert sorted(message.to[0] for message in mail.outbox) == ["both@example.org", "commune@example.org",
                                                               "space@example.org"]
    message = mail.outbox[0]
    assert message.subject == "La lettre de décembre"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>")
    html = message.alternatives[0][0]
    assert "<script" not in html and "https://www.sceaux.fr/travaux" not in html  # links go through the counter
    assert f"/sceaux/lettres/{newsletter.pk}/lien/1/" in html and f"/sceaux/lettres/{newsletter.pk}/image.png" in html
    assert "les travaux (http://" in message.body or "les travaux (https://" in message.body
    # Run again (a second worker, a batch queued twice): nobody gets it twice.
    newsletters.newsletter_schedule(newsletter.pk)
    ids = list(NewsletterDelivery.objects.filter(newsletter=newsletter).values_list("pk", flat=True))
    newsletters.newsletter_batch.call(newsletter.pk, ids)
    assert len(mail.outbox) == 3
    # One click, without a session, from the mail client: newsletters stop for that person only.
    path = unsubscribe.split("://", 1)[1].split("/", 1)[1]
    response = Client(enforce_csrf_checks=True).post("/" + path)
    assert response.status_code == 200 and "ne recevrez plus" in response.content.decode()
    recipient = User.objects.get(email=message.to[0])
    assert not newsletters.newsletter_receives(recipient)
    assert AuditEntry.objects.filter(action="participation.newsletter_unsubscribed").count() == 1
    assert newsletters.newsletter_recipient_count(_draft(agent, sceaux)) == 2
    # An address that bounced hard too often gets no newsletter either (participation/bounces.py).
    from concerto.core.participation.bounces import HARD, email_bounce_record, hard_bounces_max

    bounced = newsletters.newsletter_recipients(_draft(agent, sceaux)).first().email
    for number in range(hard_bounces_max()):
        email_bounce_record(address=bounced.upper(), kind=HARD, key=f"bounce-{number}")
    draft = _draft(agent, sceaux)
    assert newsletters.newsletter_recipient_count(draft) == 1
    assert bounced not in newsletters.newsletter_recipients(draft).values_list("email", flat=True)


def test_a_killed_worker_leaves_the_rest_and_the_periodic_job_sends_it(agent, sceaux, people, monkeypatch, queue,
                                                                      django_capture_on_commit_callbacks):
    newsletter = _draft(agent, sceaux)
    with django_capture_on_commit_callbacks(execute=True):
        newsletters.newsletter_send(actor=agent, newsletter=newsletter)
    assert len(queue.queued) == 1
    newsletter_id, ids = queue.queued[0]
    mail.outbox.clear()
    # The worker sent the first one, then died.
    newsletters.newsletter_deliver(newsletter=newsletter, delivery_id=ids[0])
    assert len(mail.outbox) == 1
    monkeypatch.undo()
    from datetime import timedelta

    from django.utils import timezone

    assert newsletters.newsletters_resume(timezone.now()) == 0  # too early: the worker may still be at it
    newsletters.newsletters_resume(timezone.now() + timedelta(minutes=11))
    assert len(mail.outbox) == 3 and len({message.to[0] for message in mail.outbox}) == 3
    newsletter.refresh_from_db()
    assert newsletter.status == Newsletter.Status.SENT


def test_a_failing_mail_server_rolls_the_claim_back(agent, sceaux, people, monkeypatch, queue):
    newsletter = _draft(agent, sceaux)
    newsletters.newsletter_send(actor=agent, newsletter=newsletter)
    delivery = NewsletterDelivery.objects.filter(newsletter=newsletter).first()
    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", lambda self: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        newsletters.newsletter_deliver(newsletter=newsletter, delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.sent_at is None


def test_links_are_counted_and_only_stored_links_redirect(agent, sceaux, people, client,
                                                          django_capture_on_commit_callbacks):
    newsletter = _draft(agent, sceaux)
    with django_capture_on_commit_callbacks(execute=True):
        newsletters.newsletter_send(actor=agent, newsletter=newsletter)
    url = reverse("newsletter_link", args=["sceaux", newsletter.pk, 1])
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "https://www.sceaux.fr/travaux"
    assert NewsletterLink.objects.get(newsletter=newsletter, number=1).clicks == 2
    # No open redirect: another number, a query string, another commune's address: nothing but the stored link.
    assert client.get(reverse("newsletter_link", args=["sceaux", newsletter.pk, 99])).status_code == 404
    assert client.get(url + "?next=https://evil.example").headers["Location"] == "https://www.sceaux.fr/travaux"
    assert client.get(reverse("newsletter_link", args=["montreuil", newsletter.pk, 1])).status_code == 404
    draft = _draft(agent, sceaux)
    assert client.get(reverse("newsletter_link", args=["sceaux", draft.pk, 1])).status_code == 404
    # Opens: one image address for everyone, counted in total.
    image = reverse("newsletter_image", args=["sceaux", newsletter.pk])
    assert client.get(image)["Content-Type"] == "image/png"
    client.get(image)
    newsletter.refresh_from_db()
    figures = newsletters.newsletter_figures(newsletter)
    assert (figures["opens"], figures["clicks"], figures["sent"]) == (2, 3, 3)


def test_the_test_send_goes_to_the_agent_only_and_counts_nothing(agent, sceaux, people):
    newsletter = _draft(agent, sceaux)
    mail.outbox.clear()
    newsletters.newsletter_test_send(actor=agent, newsletter=newsletter)
    assert [message.to for message in mail.outbox] == [[agent.email]]
    assert mail.outbox[0].subject.startswith("[Test]") or "Essai" in mail.outbox[0].subject
    assert "https://www.sceaux.fr/travaux" in mail.outbox[0].alternatives[0][0]
    assert not NewsletterDelivery.objects.exists()


def test_public_archive_lists_sent_issues_only(agent, sceaux, people, client):
    sent = _draft(agent, sceaux, subject="Lettre envoyée")
    newsletters.newsletter_send(actor=agent, newsletter=sent)
    _draft(agent, sceaux, subject="Brouillon secret")
    page = client.get("/sceaux/lettres/").content.decode()
    assert "Lettre envoyée" in page and "Brouillon secret" not in page
    detail = client.get(f"/sceaux/lettres/{sent.pk}/")
    assert detail.status_code == 200 and "https://www.sceaux.fr/travaux" in detail.content.decode()
    assert "/sceaux/lettres/" in client.get("/sceaux/").content.decode()
    assert client.get(f"/montreuil/lettres/{sent.pk}/").status_code == 404


def test_back_office_writes_previews_and_sends(agent, sceaux, people, staff_client,
                                               django_capture_on_commit_callbacks):
    client = staff_client(agent)
    response = client.post(reverse("newsletters_backoffice:create", args=["sceaux"]),
                           {"subject": "Lettre du back-office", "body": "Bonjour.", "to_followers": "on"})
    newsletter = Newsletter.objects.get(subject="Lettre du back-office")
    assert response.status_code == 302
    preview = client.get(reverse("newsletters_backoffice:preview", args=["sceaux", newsletter.pk])).content.decode()
    assert "3 personnes la recevront" in preview
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("newsletters_backoffice:send", args=["sceaux", newsletter.pk]))
    newsletter.refresh_from_db()
    assert newsletter.status == Newsletter.Status.SENT
    figures = client.get(reverse("newsletters_backoffice:figures", args=["sceaux", newsletter.pk]))
    assert figures.status_code == 200
    # Sent: it can no longer be changed.
    response = client.post(reverse("newsletters_backoffice:edit", args=["sceaux", newsletter.pk]),
                           {"subject": "Changé", "to_followers": "on"})
    newsletter.refresh_from_db()
    assert newsletter.subject == "Lettre du back-office"


def test_another_communes_agent_gets_nothing(agent, outsider, sceaux, people, staff_client, elected):
    newsletter = _draft(agent, sceaux)
    client = staff_client(outsider)
    for name in ("edit", "preview", "figures"):
        url = f"newsletters_backoffice:{name}"
        assert client.get(reverse(url, args=["montreuil", newsletter.pk])).status_code == 404
        assert client.get(reverse(url, args=["sceaux", newsletter.pk])).status_code == 403
    assert client.post(reverse("newsletters_backoffice:send", args=["sceaux", newsletter.pk])).status_code == 403
    assert client.post(reverse("newsletters_backoffice:send", args=["montreuil", newsletter.pk])).status_code == 404
    newsletter.refresh_from_db()
    assert newsletter.status == Newsletter.Status.DRAFT
    # An elected official of Sceaux reads the list and the figures but cannot send.
    official = Client()
    testing.login_with_mfa(official, elected)
    assert official.get(reverse("newsletters_backoffice:list", args=["sceaux"])).status_code == 200
    assert official.post(reverse("newsletters_backoffice:send", args=["sceaux", newsletter.pk])).status_code == 403


def test_the_settings_page_offers_newsletters_by_email_only(resident, client):
    client.force_login(resident)
    page = client.get(reverse("accounts:notification_settings")).content.decode()
    assert f'value="{NEWSLETTER} email"' in page
    assert f'value="{NEWSLETTER} push"' not in page and f'value="{NEWSLETTER} site"' not in page
