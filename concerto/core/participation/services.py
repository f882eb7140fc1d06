"""Write actions shared by every component: audit, notify, follow, comment, moderate.

Every function takes keyword-only arguments. Notifications are created in the caller's transaction and
their emails go out after commit through the task queue, so a rolled-back change sends nothing.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from concerto.core.participation.models import (
    AuditEntry,
    Channel,
    Comment,
    Contribution,
    Follow,
    ModerationReport,
    Notification,
)


def audit_record(*, actor, action: str, target=None, organisation=None,
                 data: dict | None = None) -> AuditEntry:
    """Write one audit entry for a state change."""
    if organisation is None and target is not None:
        organisation = getattr(target, "organisation", None)
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        organisation=organisation,
        action=action,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        data=data or {},
    )


def notification_send(*, recipients, verb: str, title: str, body: str = "",
                      url: str = "") -> list[Notification]:
    """Create in-app notifications and queue their emails once the transaction commits."""
    from concerto.core.participation.tasks import notification_email

    notifications = Notification.objects.bulk_create(
        [Notification(recipient=user, verb=verb, title=title[:300], body=body, url=url)
         for user in {u.pk: u for u in recipients if u is not None and u.is_active}.values()]
    )
    # SQLite 3.35+ and PostgreSQL both return the new ids from bulk_create.
    for notification_id in [n.pk for n in notifications]:
        transaction.on_commit(lambda nid=notification_id: notification_email.enqueue(nid))
    return notifications


def notification_mark_read(*, user, notification_ids=None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    return qs.update(read_at=timezone.now())


def follow_add(*, user, target) -> Follow:
    follow, created = Follow.objects.get_or_create(
        user=user, target_type=ContentType.objects.get_for_model(target), target_id=target.pk
    )
    if created:
        audit_record(actor=user, action="follow.added", target=target,
                     organisation=organisation_of(target))
    return follow


def follow_remove(*, user, target) -> None:
    deleted, _ = Follow.objects.filter(
        user=user, target_type=ContentType.objects.get_for_model(target), target_id=target.pk
    ).delete()
    if deleted:
        audit_record(actor=user, action="follow.removed", target=target, organisation=organisation_of(target))


def is_following(*, user, target) -> bool:
    if not user.is_authenticated:
        return False
    return Follow.objects.filter(
        user=user, target_type=ContentType.objects.get_for_model(target), target_id=target.pk
    ).exists()


def followers_of(*targets):
    """The users who follow any of TARGETS."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    query = Q()
    for target in targets:
        if target is not None:
            query |= Q(follows__target_type=ContentType.objects.get_for_model(target),
                       follows__target_id=target.pk)
    if not query:
        return get_user_model().objects.none()
    return get_user_model().objects.filter(query, is_active=True).distinct()


def organisation_of(target):
    """The organisation TARGET belongs to (TARGET itself if it is one)."""
    from concerto.core.territory.models import Organisation

    if isinstance(target, Organisation):
        return target
    return getattr(target, "organisation", None)


def comment_create(*, author, target, body: str, channel: str = "web") -> Comment:
    comment = Comment.objects.create(
        organisation=organisation_of(target),
        target_type=ContentType.objects.get_for_model(target),
        target_id=target.pk,
        author=author,
        body=body.strip(),
        channel=channel,
    )
    audit_record(actor=author, action="comment.created", target=comment, organisation=comment.organisation)
    return comment


def moderation_report(*, reporter, content, reason: str, details: str = "") -> ModerationReport:
    """Flag CONTENT for the moderators of its organisation. One open report per person and content."""
    content_type = ContentType.objects.get_for_model(content)
    existing = ModerationReport.objects.filter(
        content_type=content_type, object_id=content.pk, reporter=reporter,
        status=ModerationReport.Status.OPEN,
    ).first()
    if existing and reporter is not None:
        return existing
    report = ModerationReport.objects.create(
        organisation=organisation_of(content), content_type=content_type, object_id=content.pk,
        reporter=reporter, reason=reason, details=details.strip(),
    )
    audit_record(actor=reporter, action="moderation.reported", target=content,
                 organisation=report.organisation,
                 data={"report": report.pk, "reason": reason})
    return report


@transaction.atomic
def moderation_hide(*, moderator, content, reason: str = "") -> None:
    """Hide CONTENT and close its open reports."""
    content.hidden_at = timezone.now()
    content.hidden_reason = reason[:300]
    content.save(update_fields=["hidden_at", "hidden_reason"])
    _close_reports(content, moderator, ModerationReport.Status.HIDDEN)
    audit_record(actor=moderator, action="moderation.hidden", target=content,
                 organisation=organisation_of(content), data={"reason": reason})


@transaction.atomic
def moderation_restore(*, moderator, content) -> None:
    content.hidden_at = None
    content.hidden_reason = ""
    content.save(update_fields=["hidden_at", "hidden_reason"])
    audit_record(actor=moderator, action="moderation.restored", target=content,
                 organisation=organisation_of(content))


@transaction.atomic
def moderation_dismiss(*, moderator, content) -> None:
    """Keep CONTENT visible and close its open reports."""
    _close_reports(content, moderator, ModerationReport.Status.DISMISSED)
    audit_record(actor=moderator, action="moderation.dismissed", target=content,
                 organisation=organisation_of(content))


def _close_reports(content, moderator, status) -> None:
    ModerationReport.objects.filter(
        content_type=ContentType.objects.get_for_model(content), object_id=content.pk,
        status=ModerationReport.Status.OPEN,
    ).update(status=status, handled_by=moderator, handled_at=timezone.now())


def contribution_record(*, kind: str, target, component=None, author=None, channel: str = Channel.WEB,
                        residence=None, created_at=None) -> Contribution:
    """Write TARGET (a proposal, a response, a support...) into the contributions ledger.

    RESIDENCE defaults to the author's commune of residence when they gave it. Call it in the same
    transaction as the write it records."""
    if channel not in Channel.values:
        raise ValueError(f"Unknown channel {channel!r}")
    user = author if author is not None and author.is_authenticated else None
    if residence is None and user is not None:
        residence = getattr(user, "residence", None)
    organisation = component.space.organisation if component is not None else organisation_of(target)
    return Contribution.objects.create(
        organisation=organisation, component=component, kind=kind,
        target_type=ContentType.objects.get_for_model(target), target_id=target.pk,
        channel=channel, author=user, residence=residence, created_at=created_at or timezone.now(),
    )


def contribution_remove(*, target) -> int:
    """Take TARGET out of the ledger (withdrawn, deleted or erased)."""
    deleted, _ = Contribution.objects.filter(
        target_type=ContentType.objects.get_for_model(target), target_id=target.pk
    ).delete()
    return deleted
