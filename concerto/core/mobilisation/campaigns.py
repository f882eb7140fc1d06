"""Campaigns (issue 18): an organisation invites a segment of the people who asked for its invitations to take part,
by email or push (or by SMS and in the chats: transports registered from above the kernel, below), now or at a
set time, throttled per channel, with a one-click opt-out in every message and aggregate figures.

- **Opt-in by construction.** `campaign_people(campaign)` is the ONE function that says who gets a campaign: it
  starts from the accounts that turned the kernel kind `mobilisation.campaign` on for the campaign's channel (off
  by default: `NotificationKind.opt_in`), with a verified address not bounced too often (email) or a push device
  (push), and only then narrows by the segment. `campaign_contacts` adds, for email, the actors' contact persons
  the agents recorded as consenting (`ActorContact.campaigns_consent_at`). The count shown, the queueing and the
  tests all read these two functions; nothing else writes a delivery.
- **Segment** (`Campaign.segment`, every criterion optional, all of them ANDed): `followers` (of the organisation
  and its spaces, or of the campaign's space), `topics` (followers of one of them), `contributors` (in the
  ledger, in the organisation or the space, `since` a date), `verified` (residents verified there), `age_band`
  (INSEE's bands, from the year of birth given with the demographics consent), `places` (following a place inside
  the commune's boundary), `quartier` (people who gave that quartier of the commune, under the same consent:
  `accounts.services.people_in_quartier`), and `actors` (the consenting contacts, optionally of some
  `actor_kinds`). Without any criterion: everyone who opted in and belongs to the organisation (lives, follows,
  took part or is verified there).
- **Sending.** `campaign_send` refuses a campaign reaching nobody (in French), schedules it or starts it:
  one INSERT … SELECT writes a `CampaignDelivery` per recipient (200,000 rows in seconds, nothing in memory),
  then `campaign_batch` sends at most RATE × WINDOW messages (`CONCERTO_CAMPAIGN_RATES`, per second and channel)
  and queues the next batch `run_after` the window. Claims are the kernel's (`core/bulk.py`). The periodic job
  `mobilisation.campaigns` starts the scheduled campaigns that are due (one conditional UPDATE: once, even with two
  clocks) and queues again a campaign whose worker died.
- **Figures.** The message's link is a short link (`source_kind="campaign"`), its visits are the clicks; one
  image at the same address for every recipient counts the opens; delivered = sent less the addresses that
  bounced since; « participation brought » comes from `links.contributions_brought` once it exists.
"""

import datetime
import logging
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import EmptyResultSet, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from concerto.core.accounts.services import people_in_quartier
from concerto.core.audit.services import audit_record
from concerto.core.bulk import claimed_send
from concerto.core.errors import Refusal
from concerto.core.insights.models import BANDS
from concerto.core.mobilisation import links
from concerto.core.mobilisation.models import ActorContact, Campaign, CampaignChannel, CampaignDelivery, ShortLink
from concerto.core.participation.bounces import email_deliverable_filter, undeliverable_addresses
from concerto.core.participation.digests import digest_subscription_for, email_token, unsubscribe_headers
from concerto.core.participation.models import (
    Contribution,
    Follow,
    NotificationPreference,
    PushSubscription,
)
from concerto.core.participation.newsletters import place_followers
from concerto.core.participation.notifications import CAMPAIGN, absolute_url, channel_get, notification_preference_set
from concerto.core.registry import PeriodicJob
from concerto.core.spaces.models import Space
from concerto.core.territory.models import Quartier

logger = logging.getLogger("concerto.campaigns")
Status = Campaign.Status
DEFAULT_RATES = {"email": 20, "push": 50, "sms": 2, "chat": 20}  # messages per second
STALE_AFTER = timedelta(minutes=10)  # a sending campaign with no batch for this long is queued again
CONTACT_SALT = "concerto.campaigns.contact"

# Channels beyond email and push (SMS, chat broadcasts) live above the kernel (concerto/channels): they register a
# transport here, `transport_register("sms", label, people, deliver)`, and the kernel never imports them.
_transports: dict[str, tuple] = {}


class TransportDeferred(Exception):  # noqa: N818 (not an error: "not now")
    """Raised by a transport's DELIVER when it may not send now (text messages at night): the message is not
    claimed, the batch stops, and the campaign's next batch waits until NOT_BEFORE."""

    def __init__(self, not_before):
        super().__init__(f"deferred until {not_before.isoformat()}")
        self.not_before = not_before


def transport_register(name: str, label, people, deliver, available=None) -> None:
    """A campaign channel from outside the kernel: PEOPLE(queryset of opted-in accounts, organisation) -> those it
    can reach for that organisation's campaigns (a queryset: it is counted and INSERT … SELECTed), DELIVER(campaign,
    user) -> bool sends one message (raise: counted failed; raise TransportDeferred: tried again later); offered to
    the agents while AVAILABLE() says so (a number, page or bot is connected)."""
    _transports[name] = (label, people, deliver, available)


def channel_choices() -> list[tuple[str, str]]:
    choices = [(CampaignChannel.EMAIL.value, CampaignChannel.EMAIL.label)]
    push = channel_get("push")
    if push is not None and push.is_available():
        choices.append((CampaignChannel.PUSH.value, CampaignChannel.PUSH.label))
    return choices + [(name, label) for name, (label, _people, _deliver, available) in _transports.items()
                      if available is None or available()]


def rate_of(channel: str) -> float:
    """Messages per second allowed on CHANNEL (`CONCERTO_CAMPAIGN_RATES`)."""
    rates = {**DEFAULT_RATES, **getattr(settings, "CONCERTO_CAMPAIGN_RATES", {})}
    return float(rates.get(channel, 1))


def window() -> int:
    """Seconds between two batches of a campaign."""
    return int(getattr(settings, "CONCERTO_CAMPAIGN_WINDOW", 10))


def batch_size(channel: str) -> int:
    """The most messages one batch may send: the channel's rate over one window."""
    return max(1, int(rate_of(channel) * window()))


# --- Who gets it --------------------------------------------------------------------------------------------------

def _organisation_ids(organisation) -> set[int]:
    return organisation.descendant_ids()


def _followers(campaign) -> Q:
    organisation_type = ContentType.objects.get_for_model(type(campaign.organisation))
    space_type = ContentType.objects.get_for_model(Space)
    if campaign.space_id:
        follows = Follow.objects.filter(target_type=space_type, target_id=campaign.space_id)
    else:
        ids = _organisation_ids(campaign.organisation)
        follows = Follow.objects.filter(Q(target_type=organisation_type, target_id__in=ids)
                                        | Q(target_type=space_type, target_id__in=Space.objects.filter(
                                            organisation_id__in=ids).values("pk")))
    return Q(pk__in=follows.values("user_id"))


def _contributors(campaign, since: str = "") -> Q:
    contributions = Contribution.objects.filter(author__isnull=False)
    if campaign.space_id:
        contributions = contributions.filter(component__space_id=campaign.space_id)
    else:
        contributions = contributions.filter(organisation_id__in=_organisation_ids(campaign.organisation))
    if since:
        contributions = contributions.filter(created_at__date__gte=datetime.date.fromisoformat(since))
    return Q(pk__in=contributions.values("author_id"))


def _verified(campaign) -> Q:
    from concerto.core.accounts.models import Verification

    return Q(pk__in=Verification.objects.filter(organisation_id__in=_organisation_ids(campaign.organisation),
                                                revoked_at__isnull=True).values("user_id"))


def _age_band(key: str, year: int) -> Q:
    low, high = next((low, high) for band, low, high in BANDS if band == key)
    return Q(demographics_consent_at__isnull=False, birth_year__gte=year - high, birth_year__lte=year - low)


def _topics(topic_ids) -> Q:
    from concerto.core.spaces.models import Topic

    return Q(pk__in=Follow.objects.filter(target_type=ContentType.objects.get_for_model(Topic),
                                          target_id__in=list(topic_ids)).values("user_id"))


def opted_in(channel: str, organisation=None):
    """The accounts that asked for invitations to take part on CHANNEL and can get them there (for a transport's
    channel, from ORGANISATION's own page, bot or number)."""
    people = get_user_model().objects.filter(is_active=True).filter(Exists(NotificationPreference.objects.filter(
        user=OuterRef("pk"), verb=CAMPAIGN, channel=channel, enabled=True)))
    if channel == CampaignChannel.EMAIL:
        people = people.exclude(email="").filter(Exists(EmailAddress.objects.filter(
            user=OuterRef("pk"), email__iexact=OuterRef("email"), verified=True)))
        return email_deliverable_filter(people)
    if channel == CampaignChannel.PUSH:
        return people.filter(Exists(PushSubscription.objects.filter(user=OuterRef("pk"))))
    if channel in _transports:
        return _transports[channel][1](people, organisation)
    return people.none()


def campaign_people(campaign):
    """The accounts CAMPAIGN goes to (see the module's docstring): opted in first, then the segment."""
    people = opted_in(campaign.channel, campaign.organisation)
    segment = campaign.segment or {}
    accounts_wanted = any(segment.get(key) for key in ("followers", "topics", "contributors", "verified",
                                                       "age_band", "places", "quartier"))
    if segment.get("actors") and not accounts_wanted:
        return people.none()  # the actors' contacts only
    ids = _organisation_ids(campaign.organisation)
    belongs = (Q(residence_id__in=ids) | _followers(campaign) | _contributors(campaign) | _verified(campaign))
    people = people.filter(belongs)
    if segment.get("followers"):
        people = people.filter(_followers(campaign))
    if segment.get("topics"):
        people = people.filter(_topics(segment["topics"]))
    if segment.get("contributors"):
        people = people.filter(_contributors(campaign, segment.get("since") or ""))
    if segment.get("verified"):
        people = people.filter(_verified(campaign))
    if segment.get("age_band"):
        people = people.filter(_age_band(segment["age_band"], timezone.localdate().year))
    if segment.get("places"):
        people = people.filter(pk__in=place_followers(campaign.organisation))
    if segment.get("quartier"):
        quartier = Quartier.objects.filter(pk=segment["quartier"], organisation=campaign.organisation).first()
        people = people.filter(pk__in=people_in_quartier(quartier).values("pk")) if quartier else people.none()
    return people


def campaign_contacts(campaign):
    """The actors' contact persons CAMPAIGN goes to: by email, when the segment asks for them, those recorded as
    consenting, with an address that has not bounced too often."""
    segment = campaign.segment or {}
    if campaign.channel != CampaignChannel.EMAIL or not segment.get("actors"):
        return ActorContact.objects.none()
    contacts = ActorContact.objects.filter(actor__organisation=campaign.organisation,
                                           campaigns_consent_at__isnull=False).exclude(email="")
    if segment.get("actor_kinds"):
        contacts = contacts.filter(actor__kind__in=segment["actor_kinds"])
    return email_deliverable_filter(contacts)


def campaign_reach(campaign) -> dict:
    """How many people CAMPAIGN reaches, and on what basis, in words."""
    people, contacts = campaign_people(campaign).count(), campaign_contacts(campaign).count()
    basis = []
    if campaign.channel == CampaignChannel.EMAIL:
        basis.append(ngettext(
            "%(count)s person accepted to receive the invitations to take part by email, and has a verified address.",
            "%(count)s people accepted to receive the invitations to take part by email, and have a verified address.",
            people) % {"count": people})
    elif campaign.channel in _transports:
        basis.append(ngettext(
            "%(count)s person accepted to receive the invitations to take part on this channel (%(channel)s), and "
            "can be reached there now.",
            "%(count)s people accepted to receive the invitations to take part on this channel (%(channel)s), and "
            "can be reached there now.", people) % {"count": people, "channel": _transports[campaign.channel][0]})
    else:
        basis.append(ngettext(
            "%(count)s person accepted to receive the invitations to take part as push notifications, on a device.",
            "%(count)s people accepted to receive the invitations to take part as push notifications, on a device.",
            people) % {"count": people})
    if (campaign.segment or {}).get("actors"):
        basis.append(ngettext(
            "%(count)s contact person of the actors directory agreed to receive them, as recorded by an agent.",
            "%(count)s contact persons of the actors directory agreed to receive them, as recorded by an agent.",
            contacts) % {"count": contacts})
    return {"people": people, "contacts": contacts, "total": people + contacts, "basis": basis}


# --- Writing ------------------------------------------------------------------------------------------------------

def _editable(campaign: Campaign) -> None:
    if campaign.status != Status.DRAFT:
        raise Refusal(_("This campaign is no longer a draft: it can no longer be changed."))


@transaction.atomic
def campaign_save(*, actor, organisation, channel: str, subject: str, text: str, target: str, segment: dict,
                  space=None, campaign: Campaign | None = None) -> Campaign:
    """Create or change a draft campaign of ORGANISATION (ValidationError by field on bad input)."""
    if campaign is not None:
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        _editable(campaign)
    errors = {}
    if channel not in dict(channel_choices()):
        errors["channel"] = _("Choose a channel among those offered.")
    if not links.is_local_path(target or ""):
        errors["target"] = _("A short link can only lead to a page of this site.")
    if space is not None and space.organisation_id != organisation.pk:
        errors["space"] = _("Choose a space of this organisation.")
    if errors:
        raise ValidationError(errors)
    created = campaign is None
    if created:
        campaign = Campaign(organisation=organisation, created_by=actor)
    campaign.channel, campaign.subject, campaign.text = channel, subject.strip(), text.strip()
    campaign.target, campaign.segment, campaign.space = target, segment, space
    campaign.save()
    audit_record(actor=actor, action="mobilisation.campaign_created" if created else "mobilisation.campaign_changed",
                 organisation=organisation, target=campaign, data={"subject": campaign.subject})
    return campaign


# --- Sending ------------------------------------------------------------------------------------------------------

def campaign_send(*, actor, campaign: Campaign, send_at=None) -> int:
    """Send CAMPAIGN now, or at SEND_AT (a time to come): refused, in French, when it reaches nobody or is no
    longer a draft. Returns the number of people it reaches today."""
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().select_related("organisation").get(pk=campaign.pk)
        _editable(campaign)
        reach = campaign_reach(campaign)["total"]
        if not reach:
            raise Refusal(_("Nobody would receive this campaign: nobody in this segment accepted the invitations "
                            "to take part on this channel. Choose another segment or channel."))
        if send_at is not None and send_at > timezone.now():
            campaign.status, campaign.send_at = Status.SCHEDULED, send_at
            campaign.save(update_fields=["status", "send_at", "updated_at"])
            audit_record(actor=actor, action="mobilisation.campaign_scheduled", organisation=campaign.organisation,
                         target=campaign, data={"send_at": send_at.isoformat(), "recipients": reach})
            return reach
        campaign.status = Status.SENDING
        campaign.save(update_fields=["status", "updated_at"])
        count = _start(campaign, actor=actor)
        audit_record(actor=actor, action="mobilisation.campaign_sent", organisation=campaign.organisation,
                     target=campaign, data={"recipients": count})
    return count


def campaign_cancel(*, actor, campaign: Campaign) -> None:
    """Cancel a scheduled CAMPAIGN (refused once it started)."""
    with transaction.atomic():
        if not Campaign.objects.filter(pk=campaign.pk, status=Status.SCHEDULED).update(status=Status.CANCELLED):
            raise Refusal(_("Only a scheduled campaign can be cancelled: this one has already started."))
        audit_record(actor=actor, action="mobilisation.campaign_cancelled", organisation=campaign.organisation,
                     target=campaign)


def _start(campaign: Campaign, *, actor=None, now=None) -> int:
    """In the transaction that set CAMPAIGN sending: its short link, its deliveries (one INSERT … SELECT each for
    the accounts and the contacts), then its first batch once committed."""
    link = links.short_link_create(organisation=campaign.organisation, target=campaign.target,
                                   source_kind=ShortLink.Source.CAMPAIGN, source_id=campaign.pk,
                                   label=campaign.subject, created_by=actor)
    count = _insert_select(campaign, "user_id", campaign_people(campaign))
    count += _insert_select(campaign, "contact_id", campaign_contacts(campaign))
    now = now or timezone.now()
    Campaign.objects.filter(pk=campaign.pk).update(link=link, recipients=count, send_started_at=now,
                                                   last_batch_at=now)
    campaign.link, campaign.recipients, campaign.send_started_at = link, count, now
    transaction.on_commit(lambda: campaign_batch.enqueue(campaign.pk))
    return count


def _insert_select(campaign: Campaign, column: str, queryset) -> int:
    """One INSERT … SELECT of the deliveries of CAMPAIGN to the rows of QUERYSET (their ids into COLUMN)."""
    try:
        select, params = queryset.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # a queryset that matches nothing by construction (.none())
        return 0
    table = CampaignDelivery._meta.db_table
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(table)} ({quote('campaign_id')}, {quote(column)}, {quote('failed')}) "
                       f"SELECT %s, chosen.pk, %s FROM ({select}) chosen", [campaign.pk, False, *params])
        return cursor.rowcount


def _next_batch(campaign_id: int, not_before) -> bool:
    """Queue the next batch of CAMPAIGN_ID to run from NOT_BEFORE; False when the task backend cannot wait (the
    immediate backend of tests and debugging): the caller then goes on in a loop, never by recursion."""
    if not campaign_batch.get_backend().supports_defer:
        return False
    campaign_batch.using(run_after=not_before).enqueue(campaign_id)
    return True


@task()
def campaign_batch(campaign_id: int) -> int:
    """Send the next batch of CAMPAIGN_ID: at most its channel's rate over one window, then queue the next batch
    for when the window ends. Returns how many messages went."""
    sent = 0
    while True:
        started = timezone.now()
        campaign = Campaign.objects.select_related("organisation", "link").filter(pk=campaign_id,
                                                                                 status=Status.SENDING).first()
        if campaign is None:
            return sent
        Campaign.objects.filter(pk=campaign_id).update(last_batch_at=started)
        left = CampaignDelivery.objects.filter(campaign_id=campaign_id, sent_at__isnull=True)
        for delivery_id in list(left.order_by("pk").values_list("pk", flat=True)[:batch_size(campaign.channel)]):
            try:
                sent += campaign_deliver(campaign=campaign, delivery_id=delivery_id)
            except TransportDeferred as deferred:  # not now: the rest waits, unclaimed, for NOT_BEFORE
                return sent + _deferred(campaign_id, deferred.not_before)
            except Exception as error:  # the transport refused it: counted failed, not tried again
                logger.warning("Campaign message not sent: %s", error, extra={"delivery": delivery_id})
                CampaignDelivery.objects.filter(pk=delivery_id, sent_at__isnull=True).update(
                    sent_at=timezone.now(), failed=True)
        if not left.exists():
            Campaign.objects.filter(pk=campaign_id, status=Status.SENDING).update(status=Status.SENT,
                                                                                 sent_at=timezone.now())
            return sent
        if _next_batch(campaign_id, started + timedelta(seconds=window())):
            return sent


def _deferred(campaign_id: int, not_before) -> int:
    """A transport said "not before NOT_BEFORE": the next batch is queued for then. The campaign's last batch is
    dated NOT_BEFORE, so that the periodic job does not take it for a dead worker's meanwhile, and queues it
    again itself STALE_AFTER later when the task backend cannot wait."""
    Campaign.objects.filter(pk=campaign_id).update(last_batch_at=not_before)
    _next_batch(campaign_id, not_before)
    return 0


def campaign_deliver(*, campaign: Campaign, delivery_id: int) -> bool:
    """Claim one delivery and send its message in the claim's transaction (core/bulk.py)."""
    def send() -> bool:
        delivery = CampaignDelivery.objects.select_related("user", "contact").get(pk=delivery_id)
        if delivery.contact_id:
            contact = delivery.contact
            if contact.campaigns_consent_at is None or not contact.email:
                return False  # consent withdrawn since the campaign started
            campaign_email(campaign, to=contact.email, token=contact_token(contact)).send()
            return True
        user = delivery.user
        if not user.is_active or not NotificationPreference.objects.filter(
                user=user, verb=CAMPAIGN, channel=campaign.channel, enabled=True).exists():
            return False  # opted out since the campaign started
        if campaign.channel == CampaignChannel.EMAIL:
            campaign_email(campaign, to=user.email, token=email_token(user)).send()
            return True
        if campaign.channel == CampaignChannel.PUSH:
            url = reverse("campaign_optout", args=[email_token(user)]) + f"?c={campaign.pk}"
            return bool(channel_get("push").deliver(user, {"verb": CAMPAIGN, "title": campaign.subject,
                                                           "body": campaign.text, "url": url}))
        return bool(_transports[campaign.channel][2](campaign, user))

    return claimed_send(CampaignDelivery.objects.all(), delivery_id, send)


def campaign_link_url(campaign: Campaign) -> str:
    return absolute_url(campaign.link.get_absolute_url()) if campaign.link_id else absolute_url(campaign.target)


def campaign_email(campaign: Campaign, *, to: str, token: str) -> EmailMultiAlternatives:
    """The email of CAMPAIGN to TO, with its one-click opt-out (RFC 8058 headers and a link at its foot)."""
    optout = absolute_url(reverse("campaign_optout", args=[token]))
    with translation.override(settings.LANGUAGE_CODE):
        context = {"campaign": campaign, "organisation": campaign.organisation, "url": campaign_link_url(campaign),
                   "optout_url": optout,
                   "image_url": absolute_url(reverse("campaign_image", args=[campaign.pk]))}
        message = EmailMultiAlternatives(campaign.subject, render_to_string("mobilisation/campaign_email.txt",
                                                                            context),
                                         None, [to], headers=unsubscribe_headers(optout))
        message.attach_alternative(render_to_string("mobilisation/campaign_email.html", context), "text/html")
    return message


def campaigns_due(now) -> int:
    """The periodic job: start the scheduled campaigns whose time came (each once: a conditional UPDATE takes it),
    and queue again a sending campaign whose last batch is older than STALE_AFTER (a worker died)."""
    done = 0
    for campaign_id in Campaign.objects.filter(status=Status.SCHEDULED, send_at__lte=now).values_list("pk",
                                                                                                     flat=True):
        with transaction.atomic():
            if not Campaign.objects.filter(pk=campaign_id, status=Status.SCHEDULED).update(status=Status.SENDING):
                continue  # another clock took it
            campaign = Campaign.objects.select_related("organisation").get(pk=campaign_id)
            _start(campaign, now=now)
            done += 1
    for campaign_id in Campaign.objects.filter(status=Status.SENDING, last_batch_at__lt=now - STALE_AFTER
                                               ).values_list("pk", flat=True):
        Campaign.objects.filter(pk=campaign_id).update(last_batch_at=now)
        campaign_batch.enqueue(campaign_id)
        done += 1
    return done


JOB = PeriodicJob(name="mobilisation.campaigns", every=60, run=campaigns_due)


# --- Opt-out, figures ---------------------------------------------------------------------------------------------

def contact_token(contact: ActorContact) -> str:
    return "c-" + signing.Signer(salt=CONTACT_SALT).sign(str(contact.pk)).replace(":", ".")


def optout_subject(token: str):
    """The account or the contact person whose opt-out address TOKEN is, or None."""
    if token.startswith("c-"):
        try:
            pk = signing.Signer(salt=CONTACT_SALT).unsign(token[2:].replace(".", ":"))
        except signing.BadSignature:
            return None
        return ActorContact.objects.filter(pk=pk).first()
    subscription = digest_subscription_for(token)
    return subscription.user if subscription is not None else None


def campaign_optout(*, subject) -> bool:
    """SUBJECT (an account or a contact person) gets no more invitations to take part, on any channel. Returns
    whether anything changed."""
    with transaction.atomic():
        if isinstance(subject, ActorContact):
            changed = ActorContact.objects.filter(pk=subject.pk, campaigns_consent_at__isnull=False).update(
                campaigns_consent_at=None) > 0
        else:
            changed = NotificationPreference.objects.filter(user=subject, verb=CAMPAIGN, enabled=True).exists()
            NotificationPreference.objects.filter(user=subject, verb=CAMPAIGN).delete()  # the default: off
        if changed:
            audit_record(actor=None, action="mobilisation.campaign_optout", target=subject)
    return changed


def receives(subject) -> bool:
    if isinstance(subject, ActorContact):
        return subject.campaigns_consent_at is not None
    return NotificationPreference.objects.filter(user=subject, verb=CAMPAIGN, enabled=True).exists()


def campaign_optin(*, user, channel: str = CampaignChannel.EMAIL) -> None:
    """USER asks for the invitations to take part on CHANNEL (the settings page does the same)."""
    notification_preference_set(user=user, verb=CAMPAIGN, channel=channel, enabled=True)


def campaign_open_record(*, campaign_id: int) -> bool:
    """One fetch of the campaign's image (the same address for every recipient): counted as an open."""
    return Campaign.objects.filter(pk=campaign_id, status__in=(Status.SENDING, Status.SENT)).update(
        opens=F("opens") + 1) > 0


def campaign_figures(campaign: Campaign) -> dict:
    """Recipients, sent, failed, delivered (sent less the addresses that bounced too often since), opens, link
    visits, and the participation it brought when that measure exists."""
    deliveries = CampaignDelivery.objects.filter(campaign=campaign)
    sent = deliveries.filter(sent_at__isnull=False, failed=False)
    failed = deliveries.filter(failed=True).count()
    sent_count = sent.count()
    bounced = 0
    if campaign.channel == CampaignChannel.EMAIL:
        bad = undeliverable_addresses()
        bounced = (sent.filter(Q(user__email__in=bad) | Q(contact__email__in=bad)).count())
    visits = links.visits_of([campaign.link])[campaign.link_id][0] if campaign.link_id else 0
    figures = {"recipients": campaign.recipients, "sent": sent_count, "failed": failed,
               "delivered": sent_count - bounced, "opens": campaign.opens, "visits": visits,
               "is_email": campaign.channel == CampaignChannel.EMAIL}
    brought = getattr(links, "contributions_brought", None)
    if brought is not None:
        figures["brought"] = brought(ShortLink.Source.CAMPAIGN, campaign.pk)
    return figures


# --- Personal data ------------------------------------------------------------------------------------------------

def personal_data(user) -> dict:
    """USER's part of the RGPD export: the campaigns they were sent (which organisation, what, when)."""
    rows = (CampaignDelivery.objects.filter(user=user, sent_at__isnull=False, failed=False)
            .select_related("campaign__organisation").order_by("sent_at"))
    return {"campaigns_received": [{"organisation": row.campaign.organisation.name, "subject": row.campaign.subject,
                                    "channel": row.campaign.channel, "sent_at": row.sent_at} for row in rows]}


def erase_personal_data(user) -> dict:
    deleted, _by_model = CampaignDelivery.objects.filter(user=user).delete()
    return {"campaign_deliveries": deleted} if deleted else {}
