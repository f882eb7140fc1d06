"""Write actions shared by every component: notify, follow, comment, moderate.

Every function takes keyword-only arguments. Notifications go through the pipeline of notifications.py:
rows in the caller's transaction, the other channels (email) after commit through the task queue, so a
rolled-back change sends nothing.
"""

import secrets

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from concerto.core.accounts.verification import action_require
from concerto.core.attribution import current_source
from concerto.core.audit.services import audit_record
from concerto.core.participation.behalf import behalf_check
from concerto.core.participation.feed import feed_withdraw
from concerto.core.participation.models import (
    Channel,
    Comment,
    CommentVote,
    Contribution,
    Follow,
    ItemLink,
    ModerationReport,
    Notification,
    PushSubscription,
)
from concerto.core.participation.notifications import notification_send  # noqa: F401 - its historical home
from concerto.core.participation.rules import comment_vote_refusal
from concerto.core.participation.signals import comments_moved, content_moderated
from concerto.core.ratelimit import send_limited


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


def follows_of(*, user) -> list:
    """What USER follows, as the followed objects (those that no longer exist left out), newest follow first."""

    follows = list(Follow.objects.filter(user=user).order_by("-created_at", "-pk"))
    by_type: dict[int, list[int]] = {}
    for follow in follows:
        by_type.setdefault(follow.target_type_id, []).append(follow.target_id)
    loaded = {}
    for type_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is not None:
            fields = {field.name for field in model._meta.get_fields()}
            related = [name for name in ("organisation", "space__organisation", "component__space__organisation")
                       if name.split("__")[0] in fields]
            for obj in model._default_manager.select_related(*related).filter(pk__in=ids):
                loaded[(type_id, obj.pk)] = obj
    return [loaded[(f.target_type_id, f.target_id)] for f in follows if (f.target_type_id, f.target_id) in loaded]


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


def follows_move(*, source, target) -> int:
    """The followers of SOURCE follow TARGET instead (a merge), each person once. Returns how many moved."""
    source_type = ContentType.objects.get_for_model(source)
    target_type = ContentType.objects.get_for_model(target)
    already = Follow.objects.filter(target_type=target_type, target_id=target.pk).values_list("user_id", flat=True)
    followers = Follow.objects.filter(target_type=source_type, target_id=source.pk)
    followers.filter(user_id__in=list(already)).delete()
    return followers.update(target_type=target_type, target_id=target.pk)


def comments_move(*, source, target, source_title: str | None = None, source_url: str | None = None) -> int:
    """The comments on SOURCE move to TARGET (a merge): threads, replies, stances, votes, authors, dates and
    moderation kept, each marked as moved from SOURCE (SOURCE_TITLE and SOURCE_URL, by default its title and
    address) so that readers of TARGET understand why it is there. A comment moved before keeps the mark of
    where it was first written. Sends no notification; the caller's audit entry records the move. Their
    ledger rows follow them to TARGET's component. Returns how many moved."""
    source_type = ContentType.objects.get_for_model(source)
    target_type = ContentType.objects.get_for_model(target)
    comments = Comment.objects.filter(target_type=source_type, target_id=source.pk)
    if source_url is None:
        source_url = source.get_absolute_url() if hasattr(source, "get_absolute_url") else ""
    title = str(source) if source_title is None else source_title
    comments.filter(moved_from_title="").update(moved_from_title=title[:200], moved_from_url=source_url[:500])
    component = getattr(target, "component", None)
    organisation = component.space.organisation if component is not None else organisation_of(target)
    Contribution.objects.filter(target_type=ContentType.objects.get_for_model(Comment),
                                target_id__in=comments.values("pk")).update(component=component,
                                                                            organisation=organisation)
    moved = comments.update(target_type=target_type, target_id=target.pk, organisation=organisation_of(target))
    if moved:
        comments_moved.send(sender=Comment, source=source, target=target)
    return moved


def followers_add(*, user_ids, target) -> int:
    """The accounts USER_IDS follow TARGET (those who already do are left as they are). Returns how many
    follows were added."""
    target_type = ContentType.objects.get_for_model(target)
    wanted = {pk for pk in user_ids if pk}
    already = set(Follow.objects.filter(target_type=target_type, target_id=target.pk, user_id__in=wanted)
                  .values_list("user_id", flat=True))
    rows = [Follow(user_id=pk, target_type=target_type, target_id=target.pk) for pk in sorted(wanted - already)]
    Follow.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def item_link_create(*, actor, source, target, relation: str = ItemLink.Relation.BECAME,
                     source_supports: int = 0) -> ItemLink:
    """Record that SOURCE (an item of a component) became TARGET (an item of another)."""
    return ItemLink.objects.create(
        relation=relation,
        source_type=ContentType.objects.get_for_model(source), source_id=source.pk,
        target_type=ContentType.objects.get_for_model(target), target_id=target.pk,
        source_title=str(source)[:200], source_url=source.get_absolute_url(),
        target_title=str(target)[:200], target_url=target.get_absolute_url(), source_supports=source_supports,
        created_by=actor if actor is not None and actor.is_authenticated else None)


def item_assign(*, actor, item, assignee, action: str, refusal: Exception):
    """ASSIGNEE (an agent or administrator of ITEM's organisation or above it; None to unassign) handles ITEM
    (a report, a proposal: a model with `assignee`, `updated_at` and `organisation`). Raises REFUSAL for
    anyone else; writes the audit entry ACTION."""
    from concerto.core.accounts.permissions import MANAGER_ROLES, has_role

    if assignee is not None and not has_role(assignee, item.organisation, MANAGER_ROLES):
        raise refusal
    item.assignee = assignee
    item.save(update_fields=["assignee", "updated_at"])
    audit_record(actor=actor, action=action, target=item, organisation=item.organisation,
                 data={"assignee": assignee.pk if assignee else None})
    return item


def each_apply(items, apply, *, refusals=(ValidationError,)) -> tuple[list, list[tuple[object, str]]]:
    """Bulk actions of the back-offices: APPLY(item) to each of ITEMS, each in its own transaction, so that
    one refusal keeps the others. Returns (done, [(refused item, why)]); REFUSALS are the exception types
    whose message the agent reads (they carry `.message` or `.messages`)."""
    done, refused = [], []
    for item in items:
        try:
            with transaction.atomic():
                apply(item)
        except refusals as error:
            message = getattr(error, "message", None)
            if not isinstance(message, str):
                message = " ".join(getattr(error, "messages", [str(error)]))
            refused.append((item, message))
        else:
            done.append(item)
    return done, refused


def organisation_of(target):
    """The organisation TARGET belongs to (TARGET itself if it is one)."""
    from concerto.core.territory.models import Organisation

    if isinstance(target, Organisation):
        return target
    return getattr(target, "organisation", None)


@send_limited("comment")
@transaction.atomic
def comment_create(*, author, target, body: str, channel: str = Channel.WEB, parent: Comment | None = None,
                   stance: str = "", on_behalf_of=None) -> Comment:
    """Publish a comment on TARGET, or a reply to PARENT (a comment on the same TARGET).

    Threads are one level deep: replying to a reply answers its top-level comment. Nobody may reply to
    a comment hidden by moderation. STANCE ("for", "against", "neutral" or "") is for top-level comments
    on targets whose model sets `comment_stances = True`. The comment goes into the contributions
    ledger, and the author of PARENT (and of its thread, if PARENT is a reply) gets a notification.
    ON_BEHALF_OF: an actor of the directory the author signs for (participation/behalf.py).
    Raises ValidationError (French messages, keyed by "body", "parent", "stance" or "on_behalf_of") on bad input,
    and VerificationRequired when the component reserves comments to verified residents.
    """
    component = getattr(target, "component", None)
    if component is not None:
        action_require(user=author, component=component, action="comment")
    behalf_check(user=author, organisation=organisation_of(target), actor=on_behalf_of)
    body = (body or "").strip()
    stance = (stance or "").strip()
    content_type = ContentType.objects.get_for_model(target)
    errors = {}
    if not body:
        errors["body"] = [_("Write your comment before sending it.")]
    answered = parent  # the comment the person replied to, maybe a reply itself
    if parent is not None:
        if parent.target_type_id != content_type.pk or parent.target_id != target.pk:
            errors["parent"] = [_("You can only reply to a comment on the same page.")]
        elif parent.is_hidden or (parent.parent_id is not None and parent.parent.is_hidden):
            errors["parent"] = [_("This comment was hidden by moderation: you cannot reply to it.")]
        elif parent.parent_id is not None:
            parent = parent.parent
    if stance:
        if stance not in Comment.Stance.values:
            errors["stance"] = [_("Choose for, against or neutral.")]
        elif parent is not None:
            errors["stance"] = [_("A reply does not take a stance: only comments do.")]
        elif not Comment.stances_offered(target):
            errors["stance"] = [_("Stances are not offered here.")]
    if errors:
        raise ValidationError(errors)

    comment = Comment.objects.create(
        organisation=organisation_of(target), target_type=content_type, target_id=target.pk,
        author=author if author is not None and author.is_authenticated else None,
        body=body, channel=channel, parent=parent, stance=stance,
    )
    audit_record(actor=author, action="comment.created", target=comment, organisation=comment.organisation,
                 data={key: value for key, value in (("parent", comment.parent_id), ("stance", stance),
                                                     ("on_behalf_of", getattr(on_behalf_of, "pk", None))) if value})
    if not Comment.staff_only(target):
        contribution_record(kind="participation.comment", target=comment,
                            component=getattr(target, "component", None), author=author, channel=channel,
                            on_behalf_of=on_behalf_of)
    if parent is not None:
        # The author of the comment answered and, when that was a reply, the author of the thread.
        recipients = [c.author for c in (answered, parent)
                      if c.author_id is not None and c.author_id != comment.author_id]
        if recipients:
            _notify_reply(comment=comment, recipients=recipients, target=target)
    return comment


def _notify_reply(*, comment: Comment, recipients, target) -> None:
    base = Comment.thread_url(target)
    # Stored text: written in the site's language, whatever the language of the replier's session.
    with translation.override(settings.LANGUAGE_CODE):
        name = comment.author.public_name if comment.author is not None else _("An anonymous participant")
        title = _("%(name)s replied to your comment on “%(target)s”") % {"name": name, "target": target}
    notification_send(recipients=recipients, verb="comment.replied", title=title,
                      body=Truncator(comment.body).words(40), url=f"{base}#commentaire-{comment.pk}")


@transaction.atomic
def comment_vote(*, user, comment: Comment, value: int) -> int | None:
    """USER votes VALUE (1 agree, -1 disagree) on COMMENT and gets their vote now (1, -1 or None).

    The same value again takes the vote back; the other value switches it. Raises ValidationError for a
    value other than 1 or -1, and PermissionDenied (with the reason in words) when USER may not vote:
    not signed in, their own comment, a hidden or non-public comment, or comments closed on its target.
    """
    if isinstance(value, bool) or value not in (1, -1):
        raise ValidationError({"value": [_("Choose “agree” or “disagree”.")]})
    refusal = comment_vote_refusal(user, comment)
    if refusal:
        raise PermissionDenied(refusal)
    existing = CommentVote.objects.select_for_update().filter(comment=comment, user=user).first()
    if existing is None:
        try:
            # A double click can race to create the same vote: the unique constraint keeps one.
            with transaction.atomic():
                CommentVote.objects.create(comment=comment, user=user, value=value)
        except IntegrityError:
            return value
        result, action = value, "comment.voted"
    elif existing.value == value:
        existing.delete()
        result, action = None, "comment.vote_removed"
    else:
        existing.value = value
        existing.save(update_fields=["value", "updated_at"])
        result, action = value, "comment.vote_changed"
    audit_record(actor=user, action=action, target=comment, organisation=comment.organisation,
                 data={"value": value})
    return result


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
    content_moderated.send(sender=type(content), content=content, moderator=moderator, decision="hidden")
    # Hidden content leaves the feeds (restoring it does not bring it back: its component publishes again).
    feed_withdraw(item=content)


@transaction.atomic
def moderation_restore(*, moderator, content) -> None:
    content.hidden_at = None
    content.hidden_reason = ""
    content.save(update_fields=["hidden_at", "hidden_reason"])
    audit_record(actor=moderator, action="moderation.restored", target=content,
                 organisation=organisation_of(content))
    content_moderated.send(sender=type(content), content=content, moderator=moderator, decision="restored")


@transaction.atomic
def moderation_dismiss(*, moderator, content) -> None:
    """Keep CONTENT visible and close its open reports."""
    _close_reports(content, moderator, ModerationReport.Status.DISMISSED)
    audit_record(actor=moderator, action="moderation.dismissed", target=content,
                 organisation=organisation_of(content))
    content_moderated.send(sender=type(content), content=content, moderator=moderator, decision="kept")


def _close_reports(content, moderator, status) -> None:
    ModerationReport.objects.filter(
        content_type=ContentType.objects.get_for_model(content), object_id=content.pk,
        status=ModerationReport.Status.OPEN,
    ).update(status=status, handled_by=moderator, handled_at=timezone.now())


def contribution_record(*, kind: str, target, component=None, author=None, channel: str = Channel.WEB,
                        residence=None, created_at=None, on_behalf_of=None) -> Contribution:
    """Write TARGET (a proposal, a response, a support...) into the contributions ledger.

    RESIDENCE defaults to the author's commune of residence when they gave it. A contribution made on the website
    keeps the tagged link that brought its author (core/attribution.py: a print kit, a campaign). ON_BEHALF_OF is an
    actor of the directory the author contributes for, already checked by the caller
    (`mobilisation.behalf.behalf_actor`). Call it in the same transaction as the write it records."""
    if channel not in Channel.values:
        raise ValueError(f"Unknown channel {channel!r}")
    user = author if author is not None and author.is_authenticated else None
    if residence is None and user is not None:
        residence = getattr(user, "residence", None)
    organisation = component.space.organisation if component is not None else organisation_of(target)
    # Only what the person does in their own browser: an agent typing paper forms, a chat or the API has no mark.
    source = current_source() if channel == Channel.WEB else None
    return Contribution.objects.create(
        organisation=organisation, component=component, kind=kind,
        target_type=ContentType.objects.get_for_model(target), target_id=target.pk,
        channel=channel, author=user, residence=residence, created_at=created_at or timezone.now(),
        source_kind=source[0] if source else "", source_id=source[1] if source else None,
        on_behalf_of=on_behalf_of if user is not None else None,
    )


def contribution_author_set(*, target, author) -> int:
    """TARGET's ledger rows recorded without an author (an unlinked chat, an anonymous session) become AUTHOR's,
    with AUTHOR's commune of residence where none was known. Returns how many rows changed."""
    rows = Contribution.objects.filter(target_type=ContentType.objects.get_for_model(target), target_id=target.pk,
                                       author__isnull=True)
    residence = getattr(author, "residence", None)
    changed = rows.filter(residence__isnull=False).update(author=author)
    return changed + rows.filter(residence__isnull=True).update(author=author, residence=residence)


def contribution_remove(*, target) -> int:
    """Take TARGET out of the ledger (withdrawn, deleted or erased)."""
    deleted, _ = Contribution.objects.filter(
        target_type=ContentType.objects.get_for_model(target), target_id=target.pk
    ).delete()
    return deleted


def topics_follow_set(*, user, topics) -> None:
    """USER follows exactly TOPICS among the Métropole's topics (the others are unfollowed)."""
    from concerto.core.spaces.models import Topic

    wanted = {topic.pk for topic in topics}
    for topic in Topic.objects.all():
        if topic.pk in wanted:
            follow_add(user=user, target=topic)
        else:
            follow_remove(user=user, target=topic)


# Web push (push.py): a person's devices -------------------------------------------------------------------
PUSH_DEVICES_MAX = 10  # devices per person; subscribing one more forgets the oldest


def _push_keys_valid(p256dh: str, auth: str) -> bool:
    from concerto.core.participation.push import b64url_decode

    try:
        point, secret = b64url_decode(p256dh), b64url_decode(auth)
    except (ValueError, TypeError):
        return False
    return len(point) == 65 and point[0] == 4 and len(secret) == 16


@transaction.atomic
def push_subscription_save(*, user, endpoint: str, p256dh: str, auth: str) -> PushSubscription:
    """USER's browser subscribed to push (PushSubscription.toJSON()): keep its endpoint and keys. An endpoint
    already known belongs to one browser: it now reaches USER, who is the one signed in on it (on a shared
    computer, the previous person's notifications stop showing there)."""
    from django.core.validators import URLValidator

    endpoint = (endpoint or "").strip()
    schemes = ["https", "http"] if settings.CONCERTO_PUSH_ALLOW_HTTP else ["https"]
    try:
        URLValidator(schemes=schemes)(endpoint)
    except ValidationError:
        raise ValidationError(_("This push subscription has no valid address.")) from None
    if len(endpoint) > 1000 or not _push_keys_valid(p256dh or "", auth or ""):
        raise ValidationError(_("This push subscription is not valid."))
    subscription, _created = PushSubscription.objects.update_or_create(
        endpoint=endpoint, defaults={"user": user, "p256dh": p256dh, "auth": auth})
    older = PushSubscription.objects.filter(user=user).order_by("-created_at", "-pk")[PUSH_DEVICES_MAX:]
    PushSubscription.objects.filter(pk__in=[row.pk for row in older]).delete()
    return subscription


def push_subscription_delete(*, user, endpoint: str) -> int:
    """USER turned push off on one device: forget that endpoint if it is theirs (another's stays)."""
    deleted, _rows = PushSubscription.objects.filter(user=user, endpoint=(endpoint or "").strip()).delete()
    return deleted


def session_key(request, name: str, *, create: bool = False) -> str:
    """An anonymous participant's key, kept in their session under NAME: random, never derived from the session's
    own id (which changes at sign-in), and created on the first contribution with CREATE ("" until then)."""
    key = request.session.get(name, "")
    if not key and create:
        key = secrets.token_urlsafe(24)
        request.session[name] = key
    return key
