"""Use cases of questions to elected officials: ask, moderate, support, assign, set the deadline, answer, remind,
and the officials' profiles. Pages, the API and the demo call these functions."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from concerto.components.questions.models import OfficialProfile, Question, QuestionSupport
from concerto.core import registry
from concerto.core.accounts.models import Role
from concerto.core.accounts.permissions import MANAGER_ROLES, has_role
from concerto.core.accounts.verification import action_require
from concerto.core.audit.services import audit_record
from concerto.core.participation.behalf import behalf_check
from concerto.core.participation.feed import feed_publish
from concerto.core.participation.models import ModerationReport
from concerto.core.participation.notifications import notification_send
from concerto.core.participation.services import contribution_record, moderation_report
from concerto.core.ratelimit import send_limited
from concerto.core.uploads import document_clean, uploaded_image_clean

TITLE_MAX = 200
TEXT_MAX = 4000
ANSWER_MAX = 8000
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024


class QuestionError(ValidationError):
    """A refusal the person reads (a page's notice, the API's 4xx)."""


def _fail(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


# ---------------------------------------------------------------------------------------------------------
# Asking and moderating


def ask_refusal(*, user, component) -> str:
    """Why USER may not ask a question in COMPONENT now ("" when they may). Anyone signed in may ask any
    commune (see docs/architecture.md: people work, study and go out where they do not live); the commune
    reserves asking to its verified residents with the component's "ask" action if it wants to."""
    window = component.window("questions_open")
    if not window.open:
        return f"{_('Questions are closed.')} {window.message}".strip()
    return ""


@send_limited("question")
@transaction.atomic
def question_ask(*, author, component, title: str, text: str = "", addressee: OfficialProfile | None = None,
                 channel: str = "web", on_behalf_of=None) -> Question:
    """AUTHOR asks a public question to COMPONENT's commune, to ADDRESSEE (one of its officials) or to the
    mayor's office (None), ON_BEHALF_OF an actor they are a member of, or None (core/participation/behalf.py).
    It waits in the moderation queue until a moderator keeps it."""
    if author is None or not author.is_authenticated:
        raise QuestionError(_("Sign in to ask a question."))
    action_require(user=author, component=component, action="ask")
    refusal = ask_refusal(user=author, component=component)
    if refusal:
        raise QuestionError(refusal)
    errors = {}
    title = " ".join((title or "").split())
    text = (text or "").strip()
    if not title:
        errors["title"] = [_("Write your question.")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [_("The question is too long: %(max)s characters at most.") % {"max": TITLE_MAX}]
    if len(text) > TEXT_MAX:
        errors["text"] = [_("The details are too long: %(max)s characters at most.") % {"max": TEXT_MAX}]
    organisation = component.space.organisation
    behalf_check(user=author, organisation=organisation, actor=on_behalf_of)
    if addressee is not None and (addressee.organisation_id != organisation.pk or not addressee.published):
        errors["addressee"] = [_("Choose one of the commune's elected officials, or the mayor's office.")]
    _fail(errors)
    question = Question.objects.create(component=component, author=author, addressee=addressee, title=title,
                                       text=text, channel=channel)
    contribution_record(kind="questions.question", target=question, component=component, author=author,
                        channel=channel, on_behalf_of=on_behalf_of)
    audit_record(actor=author, action="questions.question_asked", target=question, organisation=organisation)
    # The kernel's queue: moderators check it against the charter and keep it (published) or hide it.
    moderation_report(reporter=None, content=question, reason=ModerationReport.Reason.OTHER,
                      details=_("New question to an elected official: check it against the charter."))
    return question


def question_moderated(*, moderator, question: Question, decision: str) -> None:
    """The moderation queue kept, hid or restored QUESTION (called by the kernel's signal, in its transaction)."""
    now = timezone.now()
    if decision in ("kept", "restored") and question.hidden_at is None and question.status != Question.Status.PUBLISHED:
        question.status = Question.Status.PUBLISHED
        question.published_at = question.published_at or now
        question.save(update_fields=["status", "published_at", "updated_at"])
        audit_record(actor=moderator, action="questions.question_published", target=question,
                     organisation=question.organisation)
        _feed_record(question, kind="questions.published")
        notification_send(recipients=[question.author], verb="questions.published",
                          title=_("Your question is published: %(title)s") % {"title": question.title},
                          body=_("Other residents can now support it."), url=question.get_absolute_url())
    elif decision == "hidden" and question.status != Question.Status.REJECTED:
        question.status = Question.Status.REJECTED
        question.save(update_fields=["status", "updated_at"])
        audit_record(actor=moderator, action="questions.question_rejected", target=question,
                     organisation=question.organisation)
        notification_send(recipients=[question.author], verb="questions.rejected",
                          title=_("Your question was not published: %(title)s") % {"title": question.title},
                          body=_("The moderators found that it does not follow the participation charter."))


# ---------------------------------------------------------------------------------------------------------
# Supports and the commitment to answer


def support_refusal(*, user, question: Question) -> str:
    if not question.is_public:
        return _("This question is not published.")
    if question.is_answered:
        return _("This question has been answered: it can no longer be supported.")
    if user is not None and question.author_id == user.pk:
        return _("You cannot support your own question.")
    return ""


def _commit(question: Question, now) -> None:
    days = question.component.setting("answer_days")
    question.committed_at = now
    question.due_at = now + timedelta(days=days)
    question.save(update_fields=["committed_at", "due_at", "updated_at"])
    audit_record(actor=None, action="questions.commitment", target=question, organisation=question.organisation,
                 data={"due_at": question.due_at.isoformat()})
    notification_send(recipients=[question.author], verb="questions.committed",
                      title=_("Your question will be answered: %(title)s") % {"title": question.title},
                      body=_("It reached the number of supports needed: the commune commits to answer it "
                             "publicly within %(days)s days.") % {"days": days},
                      url=question.get_absolute_url())


@send_limited("support")
@transaction.atomic
def question_support(*, user, question: Question, channel: str = "web") -> QuestionSupport:
    """USER supports QUESTION, once per account. At the component's threshold the commune commits to answer
    within `answer_days` days."""
    if user is None or not user.is_authenticated:
        raise QuestionError(_("Sign in to support a question."))
    action_require(user=user, component=question.component, action="support")
    refusal = support_refusal(user=user, question=question)
    if refusal:
        raise QuestionError(refusal)
    try:
        with transaction.atomic():
            support = QuestionSupport.objects.create(question=question, user=user, channel=channel)
    except IntegrityError:
        raise QuestionError(_("You already support this question. Your support is counted once.")) from None
    Question.objects.filter(pk=question.pk).update(support_count=F("support_count") + 1)
    question = Question.objects.select_for_update().select_related("component__space__organisation").get(
        pk=question.pk)
    contribution_record(kind="questions.support", target=support, component=question.component, author=user,
                        channel=channel)
    audit_record(actor=user, action="questions.support_added", target=question, organisation=question.organisation)
    if question.committed_at is None and question.support_count >= question.component.setting("support_threshold"):
        _commit(question, timezone.now())
    support.question = question
    return support


# ---------------------------------------------------------------------------------------------------------
# Back-office: assignment, deadline, answer


def elected_of(organisation):
    """The accounts holding an active elected role on ORGANISATION."""
    return (get_user_model().objects.filter(roles__organisation=organisation, roles__kind=Role.Kind.ELECTED,
                                            roles__activated_at__isnull=False).distinct().order_by("display_name"))


@transaction.atomic
def question_assign(*, actor, question: Question, assignee) -> Question:
    """ASSIGNEE (an elected official of the question's commune; None: nobody) answers QUESTION."""
    organisation = question.organisation
    if assignee is not None and not elected_of(organisation).filter(pk=assignee.pk).exists():
        raise QuestionError(_("Choose an elected official of the commune."))
    question.assignee = assignee
    question.reminded_at = None
    question.save(update_fields=["assignee", "reminded_at", "updated_at"])
    audit_record(actor=actor, action="questions.assigned", target=question, organisation=organisation,
                 data={"assignee": assignee.pk if assignee else None})
    if assignee is not None:
        notification_send(recipients=[assignee], verb="questions.assigned",
                          title=_("A question to answer: %(title)s") % {"title": question.title},
                          url=question.get_absolute_url())
    return question


@transaction.atomic
def question_deadline_set(*, actor, question: Question, due_at) -> Question:
    """Move the deadline of a committed QUESTION (the commune sets its own)."""
    if question.committed_at is None:
        raise QuestionError(_("This question has not reached its threshold: there is no deadline to change."))
    if due_at is None or due_at < question.committed_at:
        raise ValidationError({"due_at": [_("The deadline cannot be before the commitment.")]})
    question.due_at = due_at
    question.reminded_at = None
    question.save(update_fields=["due_at", "reminded_at", "updated_at"])
    audit_record(actor=actor, action="questions.deadline_set", target=question, organisation=question.organisation,
                 data={"due_at": due_at.isoformat()})
    return question


def answer_refusal(*, user, question: Question) -> str:
    """Why USER may not write QUESTION's answer ("" when they may): agents and administrators of the commune
    may, an elected official when the question is assigned to them."""
    if not question.is_public:
        return _("Only a published question can be answered.")
    if has_role(user, question.organisation, MANAGER_ROLES):
        return ""
    if question.assignee_id == user.pk and has_role(user, question.organisation, (Role.Kind.ELECTED,)):
        return ""
    return _("Only the elected official assigned to this question, or the commune's team, can answer it.")


def event_choices(organisation) -> list[tuple[str, str]]:
    """The events an answer may invite to: the commune's coming public events (through the kernel's agenda)."""
    return [(item.url, item.title) for item in registry.agenda_items(organisation, upcoming=True, limit=100)]


@transaction.atomic
def question_answer(*, actor, question: Question, text: str = "", document=None, video_url: str = "",
                    event_url: str = "", publish: bool = True) -> Question:
    """ACTOR writes QUESTION's answer: a text, a document (PDF or image, checked), a video link or an invitation
    to one of the commune's coming events; at least one. PUBLISH shows it (once: a later change keeps the date
    of the first publication and says it was corrected in the audit log)."""
    refusal = answer_refusal(user=actor, question=question)
    if refusal:
        raise PermissionDenied(refusal)
    errors: dict[str, list[str]] = {}
    text = (text or "").strip()
    video_url = (video_url or "").strip()
    if len(text) > ANSWER_MAX:
        errors["text"] = [_("The answer is too long: %(max)s characters at most.") % {"max": ANSWER_MAX}]
    if video_url and not video_url.startswith(("https://", "http://")):
        errors["video_url"] = [_("Give the address of the video, starting with https://.")]
    events = dict(event_choices(question.organisation))
    if event_url and event_url not in events and event_url != question.answer_event_url:
        errors["event_url"] = [_("Choose one of the commune's coming events.")]
    cleaned_document = None
    if document is not None:
        try:
            cleaned_document = document_clean(document, max_bytes=DOCUMENT_MAX_BYTES)
        except ValidationError as error:
            errors["document"] = error.messages
    if not (text or video_url or event_url or cleaned_document or question.answer_document) and not errors:
        errors["text"] = [_("Write an answer, or attach a document, a video link or an event.")]
    _fail(errors)
    question.answer_text = text
    question.answer_video_url = video_url
    if event_url != question.answer_event_url:
        question.answer_event_url = event_url
        question.answer_event_title = events.get(event_url, "")
    if cleaned_document is not None:
        question.answer_document = cleaned_document
    first = publish and question.answered_at is None
    if first:
        question.answered_at = timezone.now()
        question.answered_by = actor
        profile = OfficialProfile.objects.filter(organisation=question.organisation, user=actor).first()
        question.answered_by_name = profile.name if profile else actor.public_name
    question.save()
    action = "questions.answer_published" if first else (
        "questions.answer_corrected" if question.answered_at else "questions.answer_drafted")
    audit_record(actor=actor, action=action, target=question, organisation=question.organisation,
                 data={"late": question.is_late} if first else None)
    if first:
        _feed_record(question, kind="questions.answered")
        supporters = get_user_model().objects.filter(pk__in=question.supports.values("user_id"))
        notification_send(recipients=[question.author, *supporters], verb="questions.answered",
                          title=_("The commune answered: %(title)s") % {"title": question.title},
                          url=question.get_absolute_url())
    return question


def _feed_record(question: Question, *, kind: str) -> None:
    """QUESTION in the feeds: once published (to the followers of its space and commune), once answered (to them
    and to the question's own followers)."""
    with translation.override(settings.LANGUAGE_CODE):
        title = (_("Question to the elected officials: %(title)s") if kind == "questions.published"
                 else _("The commune answered: %(title)s")) % {"title": question.title}
    feed_publish(item=question, kind=kind, title=title, summary=question.text[:300], url=question.get_absolute_url(),
                 organisation=question.organisation, space=question.component.space,
                 targets=[question] if kind == "questions.answered" else [])


# ---------------------------------------------------------------------------------------------------------
# Reminders (periodic job)


def reminders_send(now=None) -> int:
    """Tell each assignee, once, that a question they must answer is due within the component's
    `reminder_days`. Safe with two clocks: a conditional update claims each reminder."""
    now = now or timezone.now()
    sent = 0
    candidates = (Question.objects.public().filter(answered_at__isnull=True, assignee__isnull=False,
                                                   reminded_at__isnull=True, due_at__isnull=False,
                                                   due_at__lte=now + timedelta(days=60))
                  .select_related("component__space__organisation", "assignee"))
    for question in candidates.iterator():
        days = question.component.setting("reminder_days")
        if not days or question.due_at - timedelta(days=days) > now:
            continue
        with transaction.atomic():
            claimed = Question.objects.filter(pk=question.pk, reminded_at__isnull=True).update(reminded_at=now)
            if not claimed:
                continue
            late = question.due_at < now
            notification_send(
                recipients=[question.assignee], verb="questions.reminder",
                title=(_("Late answer: %(title)s") if late else _("Answer due soon: %(title)s"))
                % {"title": question.title},
                body=_("The commune committed to answer this question by %(date)s.")
                % {"date": timezone.localtime(question.due_at).strftime("%d/%m/%Y")},
                url=question.get_absolute_url())
            audit_record(actor=None, action="questions.reminder_sent", target=question,
                         organisation=question.organisation)
            sent += 1
    return sent


# ---------------------------------------------------------------------------------------------------------
# Officials' profiles


def _unique_slug(organisation, name: str, profile) -> str:
    base = slugify(name)[:70] or "elu"
    slug, n = base, 2
    others = OfficialProfile.objects.filter(organisation=organisation)
    if profile is not None:
        others = others.exclude(pk=profile.pk)
    while others.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def official_profile_save(*, actor, organisation, user, name: str, mandate: str, delegations: str = "",
                          photo=None, photo_alt: str = "", published: bool = True,
                          profile: OfficialProfile | None = None) -> OfficialProfile:
    """Create or change the public profile of USER, an elected official of ORGANISATION."""
    errors = {}
    name, mandate = " ".join((name or "").split()), " ".join((mandate or "").split())
    if not elected_of(organisation).filter(pk=user.pk).exists():
        errors["user"] = [_("This person does not hold an elected official's role in the commune.")]
    if not name:
        errors["name"] = [_("Give the official's name.")]
    if not mandate:
        errors["mandate"] = [_("Give the official's mandate.")]
    if photo is not None and not (photo_alt or "").strip():
        errors["photo_alt"] = [_("Describe the photo for people who cannot see it.")]
    others = OfficialProfile.objects.filter(organisation=organisation, user=user)
    if profile is not None:
        others = others.exclude(pk=profile.pk)
    if others.exists():
        errors["user"] = [_("This official already has a profile.")]
    _fail(errors)
    created = profile is None
    profile = profile or OfficialProfile(organisation=organisation)
    profile.user = user
    profile.name, profile.mandate = name, mandate
    profile.delegations = "\n".join(line.strip() for line in (delegations or "").splitlines() if line.strip())
    profile.photo_alt = (photo_alt or "").strip()
    profile.published = published
    if photo is not None:
        profile.photo = uploaded_image_clean(photo, field="photo")
    if created or not profile.slug:
        profile.slug = _unique_slug(organisation, name, profile if not created else None)
    profile.save()
    audit_record(actor=actor, action="questions.profile_created" if created else "questions.profile_updated",
                 target=profile, organisation=organisation)
    return profile
