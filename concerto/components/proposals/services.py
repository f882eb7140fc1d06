"""Write actions on proposals, their categories, supports and answers.

The public pages, the back-office and the API call these same functions. Each one writes an audit entry;
proposals and supports go to the contributions ledger; counters on Proposal change in the same
transaction as the row they count, with F expressions, so two people acting at once never lose a count.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from concerto.components.proposals import text as words
from concerto.components.proposals.models import Category, Proposal, Support
from concerto.core.accounts.permissions import assignable_agents
from concerto.core.accounts.verification import action_require
from concerto.core.audit.services import audit_record
from concerto.core.participation.behalf import behalf_check
from concerto.core.participation.models import Channel
from concerto.core.participation.services import (
    comments_move,
    contribution_record,
    contribution_remove,
    each_apply,
    followers_add,
    followers_of,
    follows_move,
    item_assign,
    notification_send,
)
from concerto.core.participation.submissions.services import (
    submission_author_locked,
    submission_category_check,
    submission_content_clean,
    submission_locked,
    submission_old_image_drop,
    submission_point_apply,
    submission_point_clean,
    submission_withdrawn,
)
from concerto.core.ratelimit import send_limited
from concerto.core.richtext import plain_text, sanitize_html
from concerto.core.spaces.categories import services as categories
from concerto.core.uploads import uploaded_image_clean

KIND = "proposals"
# Channels where an agent types what a person gave on paper or said in a room: that person did not sign in,
# so a verification online cannot be asked of them.
AGENT_CHANNELS = (Channel.IN_PERSON, Channel.PAPER)
TITLE_MAX_LENGTH = Proposal._meta.get_field("title").max_length
# What a person may type (markup included); the sanitised text is never longer.
TEXT_MAX_LENGTH = 5000
ANSWER_MAX_LENGTH = 10_000
EDITABLE_FIELDS = ("title", "text", "category", "image", "image_alt", "point")


class ProposalError(Exception):
    """An action refused for a reason the person must read (closed step, second support...)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _check_component(component) -> None:
    if component.kind != KIND:
        raise ValueError("This is not a proposals component")


# Categories -------------------------------------------------------------------------------------------

# Added, changed and deleted by the kernel's services, the same for every component with categories.

def category_create(*, actor, component, name: str, position: int | None = None) -> Category:
    return categories.category_create(Category, actor=actor, component=component, name=name, position=position)


category_update = categories.category_update
category_delete = categories.category_delete


# Proposals --------------------------------------------------------------------------------------------

def _clean_content(component, *, title: str, text: str, category, point) -> dict:
    """The checked, sanitised values of a proposal's content, or a ValidationError keyed by field."""
    errors: dict[str, list[str]] = {}
    title, clean = submission_content_clean(
        title=title, text=text, errors=errors, text_max_length=TEXT_MAX_LENGTH,
        title_missing=_("Give your proposal a title."), text_missing=_("Describe your proposal."),
        text_too_long=_("The text is too long (%(length)s characters): %(max)s characters at most."))
    submission_category_check(component, category, errors=errors)
    point, commune = submission_point_clean(point, errors=errors)
    if errors:
        raise ValidationError(errors)
    return {"title": title, "text": clean, "category": category, "point": point, "commune": commune}


def _index_words(proposal: Proposal) -> None:
    proposal.search_text = words.search_text(proposal.title, proposal.text)
    proposal.title_words = words.title_words(proposal.title)


@send_limited("proposal")
@transaction.atomic
def proposal_create(*, author, component, title: str, text: str, category=None, image=None,
                    image_alt: str = "", point=None, channel: str = "web", on_behalf_of=None) -> Proposal:
    """AUTHOR submits a proposal in COMPONENT while its current step takes submissions, in their own name or
    ON_BEHALF_OF an actor of the directory they are a member of (core/participation/behalf.py).

    POINT is None or (latitude, longitude); the commune at that point is stored with it. Raises
    VerificationRequired when the component reserves submissions to verified residents and AUTHOR is not
    one (except for proposals an agent types from a meeting or from paper, see AGENT_CHANNELS)."""
    _check_component(component)
    if channel not in AGENT_CHANNELS:
        action_require(user=author, component=component, action="submit")
    window = component.window("submissions_open")
    if not window.open:
        closed = _("Submissions are closed.")
        raise ProposalError(f"{closed} {window.message}")
    values = _clean_content(component, title=title, text=text, category=category, point=point)
    behalf_check(user=author, organisation=component.space.organisation, actor=on_behalf_of)
    image = uploaded_image_clean(image)
    image_alt = (image_alt or "").strip()
    if image and not image_alt:
        raise ValidationError({"image_alt": [_("Describe the image for people who cannot see it.")]})
    proposal = Proposal(
        component=component, author=author if author is not None and author.is_authenticated else None,
        title=values["title"], text=values["text"], category=values["category"],
        image=image or "", image_alt=image_alt if image else "",
    )
    submission_point_apply(proposal, values["point"], values["commune"])
    _index_words(proposal)
    proposal.save()
    contribution_record(kind="proposals.proposal", target=proposal, component=component, author=author,
                        channel=channel, on_behalf_of=on_behalf_of)
    audit_record(actor=author, action="proposals.proposal_created", target=proposal,
                 organisation=component.space.organisation)
    return proposal


@transaction.atomic
def proposal_update(*, actor, proposal: Proposal, **changes) -> Proposal:
    """The author changes some of EDITABLE_FIELDS of PROPOSAL, until its first support or comment.

    `image=False` removes the image, `image=None` keeps it; `point=None` removes the location."""
    locked = submission_author_locked(
        proposal, actor=actor, changes=changes, editable=EDITABLE_FIELDS, blocker=Proposal.edit_blocker,
        refusal=ProposalError, not_author=ProposalError(_("Only the author of a proposal can change it.")))
    values = _clean_content(
        proposal.component, title=changes.get("title", locked.title), text=changes.get("text", locked.text),
        category=changes.get("category", locked.category),
        point=changes.get("point", locked.point),
    )
    image = uploaded_image_clean(changes.get("image"))
    image_alt = (changes.get("image_alt", locked.image_alt) or "").strip()
    keeps_image = bool(image) or (image is None and bool(locked.image))
    if keeps_image and not image_alt:
        raise ValidationError({"image_alt": [_("Describe the image for people who cannot see it.")]})

    before = {"title": locked.title, "text": locked.text, "category": locked.category_id,
              "image": locked.image.name, "image_alt": locked.image_alt,
              "point": (locked.latitude, locked.longitude)}
    old_image = locked.image.name if locked.image else ""
    locked.title, locked.text, locked.category = values["title"], values["text"], values["category"]
    if "point" in changes:
        submission_point_apply(locked, values["point"], values["commune"])
    if image is False:
        locked.image = ""
    elif image:
        locked.image = image
    locked.image_alt = image_alt if locked.image else ""
    after = {"title": locked.title, "text": locked.text, "category": locked.category_id,
             "image": locked.image.name if locked.image else "", "image_alt": locked.image_alt,
             "point": (locked.latitude, locked.longitude)}
    changed = [name for name in before if before[name] != after[name] or (name == "image" and image)]
    if changed:
        _index_words(locked)
        locked.save()
        audit_record(actor=actor, action="proposals.proposal_updated", target=locked,
                     organisation=locked.organisation, data={"fields": changed})
        submission_old_image_drop(locked, old_image)
    return locked


@transaction.atomic
def proposal_withdraw(*, actor, proposal: Proposal) -> Proposal:
    """The author withdraws PROPOSAL: it stays visible, marked withdrawn, and takes no more supports."""
    locked = submission_author_locked(
        proposal, actor=actor, not_author=ProposalError(_("Only the author of a proposal can withdraw it.")))
    if locked.is_withdrawn:
        return locked
    return submission_withdrawn(actor=actor, locked=locked, submission=proposal,
                                action="proposals.proposal_withdrawn")


@transaction.atomic
def proposal_answer(*, actor, proposal: Proposal, status: str, text: str = "") -> Proposal:
    """The collectivité answers PROPOSAL publicly; its author and followers are notified after commit.

    STATUS is one of Proposal.Answer (not empty); a rejection needs a reason in TEXT."""
    errors = {}
    if status not in Proposal.Answer.values or not status:
        errors["status"] = [_("Choose an answer from the list.")]
    raw = (text or "").strip()
    clean = sanitize_html(raw)
    if len(raw) > ANSWER_MAX_LENGTH:
        errors["text"] = [_("The answer is too long: %(max)s characters at most.") % {"max": ANSWER_MAX_LENGTH}]
    elif status == Proposal.Answer.REJECTED and not plain_text(clean):
        errors["text"] = [_("Explain why the proposal is rejected: residents need to know the reason.")]
    if errors:
        raise ValidationError(errors)
    locked = submission_locked(proposal)
    if locked.answer_status == status and locked.answer_text == clean:
        return locked
    locked.answer_status, locked.answer_text = status, clean
    locked.answered_at = timezone.now()
    locked.answered_by = actor if actor is not None and actor.is_authenticated else None
    locked.save(update_fields=["answer_status", "answer_text", "answered_at", "answered_by", "updated_at"])
    audit_record(actor=actor, action="proposals.proposal_answered", target=locked,
                 organisation=locked.organisation, data={"status": status})
    if locked.is_public:
        _notify_answer(actor=actor, proposal=locked)
    return locked


def _notify_answer(*, actor, proposal: Proposal) -> None:
    recipients = list(followers_of(proposal))
    if proposal.author is not None:
        recipients.append(proposal.author)
    if actor is not None and actor.is_authenticated:
        recipients = [user for user in recipients if user.pk != actor.pk]
    # Stored text: in the site's language, whatever the language of the agent's session.
    with translation.override(settings.LANGUAGE_CODE):
        title = _("%(organisation)s answered the proposal “%(title)s”: %(status)s") % {
            "organisation": proposal.organisation.name, "title": proposal.title,
            "status": str(Proposal.Answer(proposal.answer_status).label).lower()}
        body = plain_text(proposal.answer_text)
    notification_send(recipients=recipients, verb="proposals.answered", title=title, body=body,
                      url=proposal.get_absolute_url())


# Supports ---------------------------------------------------------------------------------------------

def support_refusal(*, user, proposal: Proposal) -> str:
    """Why USER may not support PROPOSAL now ("" when they may). The limit per participant is checked
    by support_add, which holds the lock that makes the count exact."""
    if not proposal.is_public:
        return _("This proposal is not published.")
    if proposal.is_merged:
        return _("This proposal was merged with another one: support that one.")
    if proposal.is_withdrawn:
        return _("Its author withdrew this proposal: it can no longer be supported.")
    if user is not None and proposal.author_id == user.pk:
        return _("You cannot support your own proposal.")
    window = proposal.component.window("supports_open")
    if not window.open:
        closed = _("Supports are closed.")
        return f"{closed} {window.message}"
    return ""


@send_limited("support")
@transaction.atomic
def support_add(*, user, proposal: Proposal, channel: str = "web") -> Support:
    """USER supports PROPOSAL, once. A second support is refused and the first one kept, even when two
    requests arrive at the same time (the unique constraint decides). Raises VerificationRequired when the
    component reserves supports to verified residents and USER is not one."""
    action_require(user=user, component=proposal.component, action="support")
    if user is None or not user.is_authenticated:
        raise ProposalError(_("Sign in to support a proposal."))
    refusal = support_refusal(user=user, proposal=proposal)
    if refusal:
        raise ProposalError(refusal)
    component = proposal.component
    # One participant's supports are counted under a lock on their own row, so that two quick clicks on
    # two proposals cannot both pass the limit (SQLite serialises writes anyway).
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    if Support.objects.filter(proposal=proposal, user=user).exists():
        raise ProposalError(_("You already support this proposal. Your support is counted once."))
    limit = component.step_setting("supports_per_participant")
    if limit and Support.objects.filter(component=component, user=user).count() >= limit:
        raise ProposalError(
            _("You have already supported %(limit)s proposals, the most allowed here. Withdraw one of your "
              "supports to support this proposal.") % {"limit": limit})
    try:
        with transaction.atomic():
            support = Support.objects.create(proposal=proposal, component=component, user=user, channel=channel)
    except IntegrityError:
        raise ProposalError(_("You already support this proposal. Your support is counted once.")) from None
    Proposal.objects.filter(pk=proposal.pk).update(support_count=F("support_count") + 1)
    contribution_record(kind="proposals.support", target=support, component=component, author=user,
                        channel=channel)
    audit_record(actor=user, action="proposals.support_added", target=proposal,
                 organisation=component.space.organisation)
    proposal.support_count += 1
    return support


@transaction.atomic
def support_remove(*, user, proposal: Proposal) -> bool:
    """USER withdraws their support of PROPOSAL while supports are open. False if there was none."""
    window = proposal.component.window("supports_open")
    if not window.open:
        closed = _("Supports are closed: supports can no longer be withdrawn.")
        raise ProposalError(f"{closed} {window.message}")
    support = Support.objects.select_for_update().filter(proposal=proposal, user=user).first()
    if support is None:
        return False
    contribution_remove(target=support)
    support.delete()
    Proposal.objects.filter(pk=proposal.pk, support_count__gt=0).update(support_count=F("support_count") - 1)
    audit_record(actor=user, action="proposals.support_removed", target=proposal,
                 organisation=proposal.organisation)
    proposal.support_count = max(0, proposal.support_count - 1)
    return True


def supported_ids(*, user, proposals) -> set[int]:
    """Which of PROPOSALS USER supports, in one query."""
    if user is None or not user.is_authenticated:
        return set()
    ids = [proposal.pk for proposal in proposals]
    return set(Support.objects.filter(user=user, proposal_id__in=ids).values_list("proposal_id", flat=True))


# Back-office: merge, assign, bulk actions ---------------------------------------------------------------

@transaction.atomic
def proposals_merge(*, actor, into: Proposal, proposals) -> Proposal:
    """PROPOSALS repeat INTO: they are merged into it. Their supports move to INTO (one per person; INTO's
    author never supports their own), their followers and authors follow INTO, their authors are notified;
    their comments move to INTO with their threads, each marked with the proposal it was written under
    (nobody is notified of that); each merged proposal says « merged with … » and its page leads to INTO.
    All of the same component, or nothing changes."""
    ids = {proposal.pk for proposal in proposals} - {into.pk}
    if not ids:
        raise ProposalError(_("Choose at least two proposals to merge."))
    locked = {p.pk: p for p in Proposal.objects.select_for_update().select_related("component__space")
              .filter(pk__in=ids | {into.pk})}
    if len(locked) != len(ids) + 1:
        raise ProposalError(_("One of these proposals does not exist."))
    target = locked.pop(into.pk)
    if any(p.component_id != target.component_id for p in locked.values()):
        raise ProposalError(_("Only proposals of the same space and the same list can be merged: these "
                              "proposals belong to different spaces or lists. Nothing was changed."))
    if target.is_merged:
        raise ProposalError(_("“%(title)s” is itself merged into another proposal: choose that one.")
                            % {"title": target.title})
    already = [p.title for p in locked.values() if p.is_merged]
    if already:
        raise ProposalError(_("“%(title)s” is already merged into another proposal.") % {"title": already[0]})
    supporters = set(Support.objects.filter(proposal=target).exclude(user=None).values_list("user_id", flat=True))
    if target.author_id:
        supporters.add(target.author_id)
    now = timezone.now()
    for proposal in sorted(locked.values(), key=lambda p: p.pk):
        for support in Support.objects.filter(proposal=proposal).order_by("pk"):
            if support.user_id is not None and support.user_id in supporters:
                contribution_remove(target=support)
                support.delete()
                continue
            support.proposal = target
            support.save(update_fields=["proposal"])
            if support.user_id:
                supporters.add(support.user_id)
        follows_move(source=proposal, target=target)
        followers_add(user_ids=[proposal.author_id], target=target)
        # The discussion joins the target, each comment marked with the proposal it was written under; that
        # page stays readable with `?fusion=non`.
        moved = comments_move(source=proposal, target=target, source_title=proposal.title,
                              source_url=f"{proposal.get_absolute_url()}?fusion=non")
        proposal.merged_into, proposal.merged_at, proposal.support_count = target, now, 0
        proposal.comment_count = 0
        proposal.save(update_fields=["merged_into", "merged_at", "support_count", "comment_count", "updated_at"])
        audit_record(actor=actor, action="proposals.proposal_merged", target=proposal,
                     organisation=proposal.organisation, data={"into": target.pk, "comments": moved})
    target.support_count = Support.objects.filter(proposal=target).count()
    target.save(update_fields=["support_count", "updated_at"])
    target.refresh_from_db(fields=["comment_count"])
    into.support_count, into.comment_count = target.support_count, target.comment_count
    authors = [p.author for p in locked.values() if p.author_id and p.author_id != target.author_id]
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Your proposal was merged with “%(title)s”") % {"title": target.title}
        body = _("It said the same thing as another proposal: they are now one, with their supports together. "
                 "You follow it.")
    notification_send(recipients=authors, verb="proposals.merged", title=title, body=body,
                      url=target.get_absolute_url())
    return target


@transaction.atomic
def proposal_assign(*, actor, proposal: Proposal, assignee) -> Proposal:
    """ASSIGNEE (an agent of the proposal's organisation or above it; None to unassign) examines PROPOSAL."""
    item_assign(actor=actor, item=proposal, assignee=assignee, action="proposals.assigned",
                refusal=ProposalError(_("Assign the proposal to an agent of its organisation.")))
    if assignee is not None and (actor is None or assignee.pk != actor.pk):
        with translation.override(settings.LANGUAGE_CODE):
            title = _("A proposal to examine: “%(title)s”") % {"title": proposal.title}
        notification_send(recipients=[assignee], verb="proposals.assigned", title=title,
                          url=proposal.get_absolute_url())
    return proposal


def proposal_evaluators(component):
    """The agents a proposal of COMPONENT may be assigned to."""
    return assignable_agents(component.space.organisation)


BULK_ACTIONS = ("answer", "assign", "merge")


def proposals_bulk(*, actor, component, proposals, action: str, status: str = "", text: str = "",
                   assignee=None, into=None) -> tuple[list[Proposal], list[tuple[Proposal, str]]]:
    """One back-office action on PROPOSALS (of COMPONENT): answer them, assign them, or merge them into INTO.
    Answers and assignments are applied one by one (a refusal keeps the others); a merge is all or nothing.
    Returns (done, [(refused, why)])."""
    proposals = list(proposals)
    if action not in BULK_ACTIONS:
        raise ProposalError(_("Choose an action in the list."))
    if not proposals:
        raise ProposalError(_("Tick at least one proposal."))
    if any(p.component_id != component.pk for p in proposals) or (into is not None
                                                                    and into.component_id != component.pk):
        raise ProposalError(_("Only proposals of the same space and the same list can be merged: these "
                              "proposals belong to different spaces or lists. Nothing was changed."))
    if action == "merge":
        if into is None:
            raise ProposalError(_("Choose the proposal the others are merged into."))
        proposals_merge(actor=actor, into=into, proposals=proposals)
        return [p for p in proposals if p.pk != into.pk], []
    if action == "assign":
        return each_apply(proposals, lambda p: proposal_assign(actor=actor, proposal=p, assignee=assignee),
                          refusals=(ProposalError,))
    return each_apply(proposals, lambda p: proposal_answer(actor=actor, proposal=p, status=status, text=text),
                      refusals=(ProposalError, ValidationError))
