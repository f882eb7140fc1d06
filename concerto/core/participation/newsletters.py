"""Newsletters from an organisation (issue 15): written by its agents, sent by email to the people it targets,
archived on a public page, with aggregate open and click figures and no per-person tracking.

- Writing (`newsletter_save`): subject, rich text (core.richtext), blocks chosen among the organisation's
  published spaces, its upcoming events (the components' `agenda` hook) and what components offer through the
  manifest hook `newsletter_blocks` (open polls). Blocks are copied into the issue: the archive shows what was sent.
- Targeting (`newsletter_recipients`, the ONE place that says who gets an issue): followers of the organisation
  and of its spaces, followers of the chosen topics, people following a place inside the commune; only active
  accounts with a verified address whose notification settings let newsletters come by email.
- Sending (`newsletter_send`): one NewsletterDelivery row per recipient is written (their number is fixed), then
  one `newsletter_batch` task per BATCH of them. The worker claims each row with a conditional UPDATE of
  `sent_at` in the transaction that sends the email, as digests do: two workers or a batch run twice send once; a
  send that raises rolls its claim back; the periodic job `participation.newsletters` queues again what a killed
  worker left, and marks the issue sent once nothing is left.
- Figures: every link of the email points to `/<org>/lettres/<id>/lien/<n>/`, which counts the click on link n
  (one counter per link, nobody's identity) and redirects only to the address stored for n; the email shows one
  image whose address is the same for every recipient (`…/<id>/image.png`), whose fetches count the opens.
- Unsubscribe: RFC 8058 headers and a link at the foot, the digests' secret token (`digests.email_token`).
"""

import logging
import re
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from concerto.core import registry
from concerto.core.audit.services import audit_record
from concerto.core.bulk import claimed_send, keyset_ids
from concerto.core.errors import Refusal
from concerto.core.participation.bounces import email_deliverable_filter
from concerto.core.participation.digests import email_token, unsubscribe_headers
from concerto.core.participation.models import (
    Follow,
    FollowedPlace,
    Newsletter,
    NewsletterDelivery,
    NewsletterLink,
    NotificationPreference,
)
from concerto.core.participation.notifications import EMAIL, NEWSLETTER, absolute_url
from concerto.core.registry import PeriodicJob
from concerto.core.richtext import plain_text, rich_text_with_links, sanitize_html
from concerto.core.spaces.models import Space, Topic

logger = logging.getLogger("concerto.newsletters")
BATCH = 500
MAX_BLOCKS = 12
BODY_MAX = 50_000
RESCHEDULE_AFTER = timedelta(minutes=10)  # a sending issue with nothing sent for this long is queued again
Status = Newsletter.Status


# --- Blocks -------------------------------------------------------------------------------------------------

def newsletter_block_choices(organisation) -> list[dict]:
    """What a newsletter of ORGANISATION may point to: its published spaces, its upcoming events and what the
    components offer (open polls). Each choice is {"key", "kind", "title", "url", "text"}."""
    choices = []
    for space in Space.objects.published().filter(organisation=organisation).order_by("-start_date", "title")[:30]:
        choices.append({"kind": "space", "title": space.title, "url": space.get_absolute_url(),
                        "text": plain_text(getattr(space, "summary", "") or "")[:200]})
    for item in registry.agenda_items(organisation, upcoming=True, limit=20):
        choices.append({"kind": "agenda", "title": item.title, "url": item.url,
                        "text": formats.date_format(timezone.localtime(item.starts_at), "DATETIME_FORMAT")})
    for manifest in registry.components():
        if manifest.newsletter_blocks is not None:
            for title, url, text in manifest.newsletter_blocks(organisation):
                choices.append({"kind": manifest.name, "title": title, "url": url, "text": text})
    for choice in choices:
        choice["key"] = f"{choice['kind']}:{choice['url']}"
    return choices


# --- Writing ------------------------------------------------------------------------------------------------

def _editable(newsletter: Newsletter) -> None:
    if newsletter.status != Status.DRAFT:
        raise Refusal(_("This newsletter is already sent: it can no longer be changed."))


@transaction.atomic
def newsletter_save(*, actor, organisation, subject: str, body: str, block_keys=(), to_followers: bool = True,
                    to_places: bool = False, topics=(), newsletter: Newsletter | None = None) -> Newsletter:
    """Create or change a draft newsletter of ORGANISATION. BLOCK_KEYS name choices of
    `newsletter_block_choices`, in the order wanted; an unknown key is refused (ValidationError by field)."""
    if newsletter is not None:
        newsletter = Newsletter.objects.select_for_update().get(pk=newsletter.pk)
        _editable(newsletter)
    subject = (subject or "").strip()
    body = sanitize_html(body or "")
    errors = {}
    if not subject:
        errors["subject"] = _("Give the newsletter a subject.")
    elif len(subject) > 150:
        errors["subject"] = _("The subject is too long (150 characters at most).")
    if len(body) > BODY_MAX:
        errors["body"] = _("The text is too long.")
    offered = {choice["key"]: choice for choice in newsletter_block_choices(organisation)}
    keys = list(dict.fromkeys(block_keys))
    if any(key not in offered for key in keys):
        errors["blocks"] = _("One of the chosen blocks is no longer available: choose again.")
    elif len(keys) > MAX_BLOCKS:
        errors["blocks"] = _("Choose %(count)s blocks at most.") % {"count": MAX_BLOCKS}
    topics = list(topics)
    if not to_followers and not to_places and not topics:
        errors["to_followers"] = _("Choose at least one group of recipients.")
    if errors:
        raise ValidationError(errors)
    created = newsletter is None
    if created:
        newsletter = Newsletter(organisation=organisation, created_by=actor)
    newsletter.subject, newsletter.body = subject, body
    newsletter.blocks = [{name: offered[key][name] for name in ("kind", "title", "url", "text")} for key in keys]
    newsletter.to_followers, newsletter.to_places = bool(to_followers), bool(to_places)
    newsletter.save()
    newsletter.topics.set(topics)
    audit_record(actor=actor, action="participation.newsletter_created" if created
                 else "participation.newsletter_updated", organisation=organisation, target=newsletter,
                 data={"subject": subject})
    return newsletter


# --- Who gets it --------------------------------------------------------------------------------------------

def place_followers(organisation) -> list[int]:
    """The people following a place whose centre is inside ORGANISATION's boundary (none without one)."""
    if not organisation.boundary:
        return []
    import shapely
    from shapely.geometry import shape

    area = shape(organisation.boundary)
    west, south, east, north = area.bounds
    places = list(FollowedPlace.objects.filter(longitude__range=(west, east), latitude__range=(south, north))
                  .values_list("user_id", "longitude", "latitude"))
    if not places:
        return []
    shapely.prepare(area)
    inside = shapely.intersects_xy(area, [p[1] for p in places], [p[2] for p in places])
    return sorted({place[0] for place, hit in zip(places, inside, strict=True) if hit})


def newsletter_recipients(newsletter: Newsletter):
    """The accounts NEWSLETTER goes to, as a queryset of users (the ONE place that decides it: the count shown
    before sending, the sending itself and the tests all read it)."""
    organisation = newsletter.organisation
    targets = Q(pk__in=[])
    if newsletter.to_followers:
        spaces = Space.objects.filter(organisation=organisation).values("pk")
        targets |= Q(pk__in=Follow.objects.filter(
            Q(target_type=ContentType.objects.get_for_model(type(organisation)), target_id=organisation.pk)
            | Q(target_type=ContentType.objects.get_for_model(Space), target_id__in=spaces)).values("user_id"))
    topic_ids = list(newsletter.topics.values_list("pk", flat=True)) if newsletter.pk else []
    if topic_ids:
        targets |= Q(pk__in=Follow.objects.filter(target_type=ContentType.objects.get_for_model(Topic),
                                                  target_id__in=topic_ids).values("user_id"))
    if newsletter.to_places:
        targets |= Q(pk__in=place_followers(organisation))
    people = get_user_model().objects.filter(targets, is_active=True).exclude(email="")
    # A verified address: the account's own address, confirmed.
    people = people.filter(Exists(EmailAddress.objects.filter(user=OuterRef("pk"), email__iexact=OuterRef("email"),
                                                              verified=True)))
    # Their notification settings let newsletters come by email (on unless they turned it off).
    people = people.exclude(Exists(NotificationPreference.objects.filter(
        user=OuterRef("pk"), verb=NEWSLETTER, channel=EMAIL, enabled=False)))
    # Email hard bounces: addresses that bounced too often get no bulk email (participation/bounces.py).
    return email_deliverable_filter(people)


def newsletter_recipient_count(newsletter: Newsletter) -> int:
    return newsletter_recipients(newsletter).count()


# --- The email ----------------------------------------------------------------------------------------------

def _links_of(newsletter: Newsletter) -> list[str]:
    """The addresses NEWSLETTER links to, in the order of the email, each once."""
    found: list[str] = []
    rich_text_with_links(newsletter.body, lambda url: found.append(url) or url)
    found += [block["url"] for block in newsletter.blocks]
    return list(dict.fromkeys(absolute_url(url) for url in found))


def _text_of(body: str) -> str:
    """The plain-text copy of the email's text: paragraphs kept, each link's address after its words."""
    text = re.sub(r'<a [^>]*href="([^"]*)"[^>]*>(.*?)</a>', r"\2 (\1)", body, flags=re.S)
    text = re.sub(r"</(p|h2|h3|h4|li|blockquote)>|<br>", "\n", text)
    return "\n".join(line.strip() for line in plain_text(text).splitlines()).strip()


def newsletter_context(newsletter: Newsletter, *, counted: bool) -> dict:
    """What the templates show: the text and blocks, with every link through the counted redirect when COUNTED
    (the email sent) or as it is (the preview, a test, the archive)."""
    numbers = ({link.url: link.number for link in newsletter.links.all()} if counted else {})

    def link(url: str) -> str:
        url = absolute_url(url)
        if url in numbers:
            return absolute_url(reverse("newsletter_link", args=[newsletter.organisation.slug, newsletter.pk,
                                                                 numbers[url]]))
        return url

    organisation = newsletter.organisation
    body = rich_text_with_links(newsletter.body, link)
    return {"newsletter": newsletter, "organisation": organisation, "body": body, "text": _text_of(body),
            "blocks": [{**block, "url": link(block["url"])} for block in newsletter.blocks],
            "image_url": absolute_url(reverse("newsletter_image", args=[organisation.slug, newsletter.pk]))
            if counted else "",
            "archive_url": absolute_url(reverse("newsletter_archive", args=[organisation.slug])),
            "settings_url": absolute_url(reverse("accounts:notification_settings"))}


def newsletter_email(newsletter: Newsletter, *, to: str, unsubscribe_url: str = "", counted: bool = True,
                     test: bool = False) -> EmailMultiAlternatives:
    """The email of NEWSLETTER to the address TO (text and HTML), with the RFC 8058 headers when it has an
    UNSUBSCRIBE_URL."""
    with translation.override(settings.LANGUAGE_CODE):
        context = {**newsletter_context(newsletter, counted=counted), "unsubscribe_url": unsubscribe_url,
                   "test": test}
        subject = newsletter.subject if not test else _("[Test] %(subject)s") % {"subject": newsletter.subject}
        headers = unsubscribe_headers(unsubscribe_url) if unsubscribe_url else {}
        message = EmailMultiAlternatives(subject, render_to_string("participation/newsletter_email.txt", context),
                                         None, [to], headers=headers)
        message.attach_alternative(render_to_string("participation/newsletter_email.html", context), "text/html")
    return message


def newsletter_test_send(*, actor, newsletter: Newsletter) -> None:
    """Send NEWSLETTER as it stands to ACTOR's own address, marked as a test; nothing is counted."""
    if not actor.email:
        raise Refusal(_("Your account has no email address to send the test to."))
    newsletter_email(newsletter, to=actor.email, counted=False, test=True).send()
    audit_record(actor=actor, action="participation.newsletter_tested", organisation=newsletter.organisation,
                 target=newsletter)


# --- Sending ------------------------------------------------------------------------------------------------

def newsletter_send(*, actor, newsletter: Newsletter) -> int:
    """Start sending NEWSLETTER: fix its links and its recipients, then queue the batches (after the commit).
    Returns the number of recipients. Sending twice is refused."""
    with transaction.atomic():
        newsletter = Newsletter.objects.select_for_update().select_related("organisation").get(pk=newsletter.pk)
        _editable(newsletter)
        recipients = list(newsletter_recipients(newsletter).order_by("pk").values_list("pk", flat=True))
        if not recipients:
            raise Refusal(_("Nobody would receive this newsletter: choose other recipients."))
        NewsletterLink.objects.bulk_create([NewsletterLink(newsletter=newsletter, number=number, url=url[:2000])
                                            for number, url in enumerate(_links_of(newsletter), start=1)])
        for start in range(0, len(recipients), BATCH):
            NewsletterDelivery.objects.bulk_create([NewsletterDelivery(newsletter=newsletter, user_id=user_id)
                                                    for user_id in recipients[start:start + BATCH]])
        newsletter.status, newsletter.recipients = Status.SENDING, len(recipients)
        newsletter.send_started_at = timezone.now()
        newsletter.save(update_fields=["status", "recipients", "send_started_at", "updated_at"])
        audit_record(actor=actor, action="participation.newsletter_sent", organisation=newsletter.organisation,
                     target=newsletter, data={"recipients": len(recipients)})
        transaction.on_commit(lambda: newsletter_schedule(newsletter.pk))
    return len(recipients)


def newsletter_schedule(newsletter_id: int) -> int:
    """Queue one `newsletter_batch` task per BATCH deliveries not sent yet (by keyset: memory stays flat).
    Returns how many batches it queued."""
    batches = 0
    left = NewsletterDelivery.objects.filter(newsletter_id=newsletter_id, sent_at__isnull=True)
    for ids in keyset_ids(left, BATCH):
        newsletter_batch.enqueue(newsletter_id, ids)
        batches += 1
    if not batches:
        _finish(newsletter_id)
    return batches


def _finish(newsletter_id: int) -> None:
    """Mark the issue sent once no delivery is left."""
    if not NewsletterDelivery.objects.filter(newsletter_id=newsletter_id, sent_at__isnull=True).exists():
        Newsletter.objects.filter(pk=newsletter_id, status=Status.SENDING).update(status=Status.SENT,
                                                                                   sent_at=timezone.now())


@task()
def newsletter_batch(newsletter_id: int, delivery_ids: list[int]) -> int:
    """Send NEWSLETTER_ID to the deliveries DELIVERY_IDS; a failed one is logged and left for the next run."""
    newsletter = Newsletter.objects.select_related("organisation").filter(pk=newsletter_id).first()
    if newsletter is None:
        return 0
    list(newsletter.links.all())  # read once for the whole batch
    sent = 0
    for delivery_id in delivery_ids:
        try:
            sent += newsletter_deliver(newsletter=newsletter, delivery_id=delivery_id)
        except Exception as error:  # the mail server: the claim is rolled back, the periodic job tries again
            logger.warning("Newsletter not sent: %s", error, extra={"delivery": delivery_id})
    _finish(newsletter_id)
    return sent


def newsletter_deliver(*, newsletter: Newsletter, delivery_id: int) -> bool:
    """Claim one delivery and send its email, in one transaction. Returns whether an email went; a delivery
    already claimed (another worker, a batch run twice) sends nothing."""
    def send() -> bool:
        user = NewsletterDelivery.objects.select_related("user").get(pk=delivery_id).user
        if not user.is_active or not user.email:
            return False
        unsubscribe = absolute_url(reverse("newsletter_unsubscribe", kwargs={"token": email_token(user)}))
        newsletter_email(newsletter, to=user.email, unsubscribe_url=unsubscribe).send()
        return True

    return claimed_send(NewsletterDelivery.objects.all(), delivery_id, send)


def newsletters_resume(now) -> int:
    """The periodic job: queue again the deliveries left by a worker that died (an issue sending for longer
    than RESCHEDULE_AFTER), and mark sent the issues with nothing left. Returns how many batches it queued."""
    batches = 0
    for newsletter_id in Newsletter.objects.filter(status=Status.SENDING,
                                                   send_started_at__lt=now - RESCHEDULE_AFTER).values_list("pk",
                                                                                                            flat=True):
        batches += newsletter_schedule(newsletter_id)
    return batches


JOB = PeriodicJob(name="participation.newsletters", every=10 * 60, run=newsletters_resume)


# --- Unsubscribe, figures -----------------------------------------------------------------------------------

def newsletter_unsubscribe(*, user) -> bool:
    """USER stops receiving newsletters by email (from the email's link, without signing in). Returns whether
    anything changed."""
    with transaction.atomic():
        _row, created = NotificationPreference.objects.get_or_create(user=user, verb=NEWSLETTER, channel=EMAIL,
                                                                     defaults={"enabled": False})
        changed = created or NotificationPreference.objects.filter(
            user=user, verb=NEWSLETTER, channel=EMAIL, enabled=True).update(enabled=False) > 0
        if changed:
            audit_record(actor=None, action="participation.newsletter_unsubscribed", target=user)
    return changed


def newsletter_receives(user) -> bool:
    return not NotificationPreference.objects.filter(user=user, verb=NEWSLETTER, channel=EMAIL,
                                                     enabled=False).exists()


def newsletter_link_follow(*, newsletter_id: int, number: int) -> str | None:
    """Count a click on link NUMBER of a sent newsletter and return its stored address; None when the issue
    has no such link (the redirect goes nowhere else: no open redirect)."""
    link = NewsletterLink.objects.filter(newsletter_id=newsletter_id, number=number,
                                         newsletter__status__in=(Status.SENDING, Status.SENT)).first()
    if link is None:
        return None
    NewsletterLink.objects.filter(pk=link.pk).update(clicks=F("clicks") + 1)
    return link.url


def newsletter_open_record(*, newsletter_id: int) -> bool:
    """One fetch of the issue's image (the same address for every recipient): counted as an open."""
    return Newsletter.objects.filter(pk=newsletter_id, status__in=(Status.SENDING, Status.SENT)).update(
        opens=F("opens") + 1) > 0


def newsletter_figures(newsletter: Newsletter) -> dict:
    sent = NewsletterDelivery.objects.filter(newsletter=newsletter, sent_at__isnull=False).count()
    links = list(newsletter.links.all())
    clicks = sum(link.clicks for link in links)
    return {"recipients": newsletter.recipients, "sent": sent, "opens": newsletter.opens, "clicks": clicks,
            "links": links}
