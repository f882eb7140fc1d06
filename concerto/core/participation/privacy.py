"""Participation's part of the right of access and of the right to erasure: follows, notifications, push
subscriptions, comments and their votes, the contributions ledger. Registered with accounts as a personal-data provider
(`accounts.privacy`) in ParticipationConfig.ready(): accounts sits below participation and never imports it."""

from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult

from concerto.core.accounts.privacy import PersonalDataProvider, Processor, RetentionRule, batched_purge
from concerto.core.participation.models import (
    Comment,
    CommentVote,
    Contribution,
    DigestSubscription,
    EmailBounceCount,
    Follow,
    FollowedPlace,
    Notification,
    PushSubscription,
)


def _iso(value):
    return value.isoformat() if value is not None else None


def personal_data(user) -> dict:
    """The sections of USER's export that participation holds."""
    return {
        "follows": [
            {"type": f"{follow.target_type.app_label}.{follow.target_type.model}", "id": follow.target_id,
             "title": str(follow.target) if follow.target is not None else None,
             "since": _iso(follow.created_at)}
            for follow in Follow.objects.filter(user=user).select_related("target_type").order_by("pk")
        ],
        "notifications": [
            {"created_at": _iso(n.created_at), "title": n.title, "body": n.body, "url": n.url,
             "read_at": _iso(n.read_at)}
            for n in Notification.objects.filter(recipient=user).order_by("pk")
        ],
        "comments": [
            {"created_at": _iso(c.created_at), "body": c.body, "organisation": c.organisation.name,
             "on": f"{c.target_type.app_label}.{c.target_type.model}", "on_id": c.target_id,
             "channel": c.channel, "hidden_by_moderation": c.is_hidden, "reply_to": c.parent_id,
             "stance": c.stance or None}
            for c in Comment.objects.filter(author=user)
            .select_related("organisation", "target_type").order_by("pk")
        ],
        "comment_votes": [
            {"comment": v.comment_id, "value": v.value, "at": _iso(v.updated_at),
             "on": f"{v.comment.target_type.app_label}.{v.comment.target_type.model}", "on_id": v.comment.target_id}
            for v in CommentVote.objects.filter(user=user).select_related("comment__target_type").order_by("pk")
        ],
        "contributions": [
            {"kind": c.kind, "id": c.target_id, "channel": c.channel, "at": _iso(c.created_at),
             "organisation": c.organisation.name}
            for c in Contribution.objects.filter(author=user).select_related("organisation").order_by("pk")
        ],
        # The push service's address of each device, not its encryption keys (secrets of the browser).
        "push_subscriptions": [
            {"endpoint": p.endpoint, "created_at": _iso(p.created_at), "last_success_at": _iso(p.last_success_at)}
            for p in PushSubscription.objects.filter(user=user).order_by("pk")
        ],
        "digest": [
            {"frequency": d.frequency, "last_sent_period": d.last_sent_period or None,
             "last_sent_at": _iso(d.last_sent_at), "since": _iso(d.created_at)}
            for d in DigestSubscription.objects.filter(user=user)
        ],
        # What the mail provider said of the person's address (participation/bounces.py).
        "email_bounces": [
            {"hard_bounces": b.hard_bounces, "soft_bounces": b.soft_bounces, "last_bounce_at": _iso(b.last_bounce_at),
             "last_reason": b.last_reason}
            for b in EmailBounceCount.objects.filter(address=(user.email or "").lower())
        ],
    }


def erase_personal_data(user) -> dict:
    """Comments stay, shown as from an anonymous participant; the ledger keeps the count of contributions, not
    who made them; votes, follows, notifications and the digest subscription go."""
    comments = Comment.objects.filter(author=user).update(author=None)
    CommentVote.objects.filter(user=user).delete()
    # The « au nom de » goes with the author: an actor is not left speaking through an anonymous contribution.
    Contribution.objects.filter(author=user).update(author=None, on_behalf_of=None)
    Follow.objects.filter(user=user).delete()
    Notification.objects.filter(recipient=user).delete()
    PushSubscription.objects.filter(user=user).delete()
    DigestSubscription.objects.filter(user=user).delete()
    EmailBounceCount.objects.filter(address=(user.email or "").lower()).delete()
    return {"comments_anonymised": comments}


def _notifications(cutoff, *, dry_run):
    return batched_purge(Notification.objects.filter(created_at__lt=cutoff), dry_run=dry_run)


def _task_results(cutoff, *, dry_run):
    # Finished tasks keep their arguments (an email address, a notice) and, when they failed, a traceback.
    finished = DBTaskResult.objects.filter(Q(status="SUCCESSFUL") | Q(status="FAILED"), finished_at__lt=cutoff)
    return batched_purge(finished, dry_run=dry_run)


def inactive_accounts_warn(cutoff, *, now, dry_run) -> int:
    """Accounts' inactive-account rule's warning (`RetentionRule.warn`): each account not signed in since
    CUTOFF (so deleted within WARNING_DAYS) whose holder was not told since their last sign-in gets one email,
    through the notification pipeline, saying on which day it goes and that signing in keeps it; the warning
    is recorded (`deletion_warned_at`), so each person is told once. A deactivated account gets no email
    (the pipeline leaves it out) but is recorded all the same, so that it is deleted in turn."""
    from concerto.core.accounts.retention import WARNING_DAYS, inactive_accounts
    from concerto.core.participation.notifications import notification_send

    due = inactive_accounts(cutoff).filter(Q(deletion_warned_at__isnull=True)
                                           | Q(deletion_warned_at__lt=F("last_seen")))
    if dry_run:
        return due.count()
    told = 0
    with translation.override(settings.LANGUAGE_CODE):
        day = formats.date_format(now + timedelta(days=WARNING_DAYS), "DATE_FORMAT")
        title = gettext("Your account will be deleted on %(day)s") % {"day": day}
        body = gettext("You have not signed in to your account for a long time. To keep it, sign in before "
                       "%(day)s: signing in is enough. Otherwise it will be deleted on that day, with the "
                       "personal data it holds.") % {"day": day}
        url = reverse("account_login")
    for user in due.iterator(chunk_size=200):
        notification_send(recipients=[user], verb="account.deletion_warning", title=title, body=body, url=url)
        type(user).objects.filter(pk=user.pk).update(deletion_warned_at=now)
        told += 1
    return told


RETENTION = (
    RetentionRule("notifications", _("Notifications shown on the site"), _("the notification"), 365,
                  _("Long enough to find an old message; no need beyond"), _notifications),
    RetentionRule("deliveries", _("Records of emails and notifications sent (address, message, errors)"),
                  _("the sending"), 30, _("Kept to look into a delivery that failed"), _task_results),
)

def followed_places(user) -> list[tuple[str, float, float]]:
    """The places the person follows, for the profile's suggestion of a quartier."""
    return list(FollowedPlace.objects.filter(user=user).values_list("label", "latitude", "longitude"))


PROVIDER = PersonalDataProvider(name="participation", export=personal_data, erase=erase_personal_data,
                                retention=RETENTION, places=followed_places,
                                processors=(Processor(
                                    _("The push service of your browser's maker (Google, Mozilla, Apple, Microsoft)"),
                                    _("Push notifications, if you turn them on on a device"),
                                    _("An encrypted message (title, text, link) that only your device can read, "
                                      "sent to your device's push address"),
                                    _("To show the notifications you chose on your phone or computer")),))
