"""The agents' side of citizen reports: routing, services and categories, assignment, status workflow,
public answers, internal notes, merging duplicates, bulk actions, Open311 keys and flat statistics.

Every write function is keyword-only, named `<thing>_<verb>`, writes an audit entry, and refuses what is
impossible with a WorkflowError whose message the agent reads. Status changes write a StatusChange (the
public history) and, once the transaction commits, call the reporting side's notify_report_change.

Status workflow (decided here, the issue was silent on reopening):
    new -> acknowledged | in_progress | resolved | rejected
    acknowledged -> in_progress | resolved | rejected
    in_progress -> resolved | rejected
    resolved | rejected -> in_progress (reopened: the work starts again)
    any open status -> duplicate, only through report_merge (a target report is chosen)
    duplicate -> nothing: a duplicate is final, its supports and followers have moved to its target.
"""

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from concerto.components.reports.models import (
    Category,
    CategoryQuestion,
    InternalNote,
    Open311Key,
    Report,
    ReportPhoto,
    ReportSupport,
    Service,
    StatusChange,
)
from concerto.core.accounts.permissions import assignable_agents as kernel_assignable_agents
from concerto.core.audit.services import audit_record
from concerto.core.participation.notifications import mail_send
from concerto.core.participation.services import each_apply, follows_move, item_assign, notification_send

Status = Report.Status
FINAL = (Status.RESOLVED, Status.REJECTED, Status.DUPLICATE)
TRANSITIONS = {
    Status.NEW: {Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RESOLVED, Status.REJECTED},
    Status.ACKNOWLEDGED: {Status.IN_PROGRESS, Status.RESOLVED, Status.REJECTED},
    Status.IN_PROGRESS: {Status.RESOLVED, Status.REJECTED},
    Status.RESOLVED: {Status.IN_PROGRESS},
    Status.REJECTED: {Status.IN_PROGRESS},
    Status.DUPLICATE: set(),
}
TEXT_MAX_LENGTH = 5000
KEY_PREFIX = "o311_"


class WorkflowError(Exception):
    """An action refused for a reason the agent must read."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- Routing --------------------------------------------------------------------------------------------

def report_route(*, report: Report) -> Service | None:
    """Send REPORT to its category's service (None when the category has no active service)."""
    service = report.category.service if report.category_id else None
    if service is not None and not service.active:
        service = None
    report.service = service
    if report.pk:
        Report.objects.filter(pk=report.pk).update(service=service)
    return service


# --- Services and categories ----------------------------------------------------------------------------

def _clean(text, max_length: int) -> str:
    return str(text or "").replace("\x00", "").strip()[:max_length]


@transaction.atomic
def service_create(*, actor, organisation, name: str, email: str = "") -> Service:
    name = _clean(name, 150)
    if not name:
        raise ValidationError({"name": [_("Give the service a name.")]})
    if Service.objects.filter(organisation=organisation, name__iexact=name).exists():
        raise ValidationError({"name": [_("A service of this commune already has this name.")]})
    try:
        with transaction.atomic():
            service = Service.objects.create(organisation=organisation, name=name, email=email or "")
    except IntegrityError:
        raise ValidationError({"name": [_("A service of this commune already has this name.")]}) from None
    audit_record(actor=actor, action="reports.service_created", target=service, organisation=organisation)
    return service


@transaction.atomic
def service_update(*, actor, service: Service, name: str, email: str = "", active: bool = True) -> Service:
    name = _clean(name, 150)
    if not name:
        raise ValidationError({"name": [_("Give the service a name.")]})
    if Service.objects.filter(organisation=service.organisation, name__iexact=name).exclude(pk=service.pk).exists():
        raise ValidationError({"name": [_("A service of this commune already has this name.")]})
    service.name, service.email, service.active = name, email or "", active
    service.save(update_fields=["name", "email", "active"])
    audit_record(actor=actor, action="reports.service_updated", target=service, organisation=service.organisation)
    return service


CATEGORY_FIELDS = ("code", "name", "description", "group", "keywords", "service", "active", "position")


def _check_category(organisation, fields: dict, exclude_pk=None) -> None:
    if not fields.get("code"):
        raise ValidationError({"code": [_("Give the category a code (letters, digits and hyphens).")]})
    if Category.objects.filter(organisation=organisation, code=fields["code"]).exclude(pk=exclude_pk).exists():
        raise ValidationError({"code": [_("A category of this commune already has this code.")]})
    service = fields.get("service")
    if service is not None and service.organisation_id != organisation.pk:
        raise ValidationError({"service": [_("Choose a service of the same commune.")]})


@transaction.atomic
def category_create(*, actor, organisation, **fields) -> Category:
    fields = {name: value for name, value in fields.items() if name in CATEGORY_FIELDS}
    _check_category(organisation, fields)
    try:
        with transaction.atomic():
            category = Category.objects.create(organisation=organisation, **fields)
    except IntegrityError:
        raise ValidationError({"code": [_("A category of this commune already has this code.")]}) from None
    audit_record(actor=actor, action="reports.category_created", target=category, organisation=organisation)
    return category


@transaction.atomic
def category_update(*, actor, category: Category, **fields) -> Category:
    fields = {name: value for name, value in fields.items() if name in CATEGORY_FIELDS}
    merged = {name: getattr(category, name) for name in CATEGORY_FIELDS} | fields
    _check_category(category.organisation, merged, exclude_pk=category.pk)
    for name, value in fields.items():
        setattr(category, name, value)
    category.save()
    audit_record(actor=actor, action="reports.category_updated", target=category,
                 organisation=category.organisation, data={"fields": sorted(fields)})
    return category


@transaction.atomic
def category_question_create(*, actor, category: Category, code: str, label: str, datatype: str,
                             required: bool = False, options: list | None = None) -> CategoryQuestion:
    if datatype not in CategoryQuestion.Datatype.values:
        raise ValidationError({"datatype": [_("Choose a type in the list.")]})
    options = [option for option in (options or []) if option.get("key")]
    if datatype in (CategoryQuestion.Datatype.SINGLE, CategoryQuestion.Datatype.MULTI) and not options:
        raise ValidationError({"options": [_("A list question needs at least one choice.")]})
    if category.questions.filter(code=code).exists():
        raise ValidationError({"code": [_("A question of this category already has this code.")]})
    position = category.questions.count()
    question = CategoryQuestion.objects.create(category=category, code=code, label=_clean(label, 200),
                                               datatype=datatype, required=required, options=options,
                                               position=position)
    audit_record(actor=actor, action="reports.question_created", target=category,
                 organisation=category.organisation, data={"code": code})
    return question


@transaction.atomic
def category_question_delete(*, actor, question: CategoryQuestion) -> None:
    audit_record(actor=actor, action="reports.question_deleted", target=question.category,
                 organisation=question.category.organisation, data={"code": question.code})
    question.delete()


# --- Status workflow ------------------------------------------------------------------------------------

def _copy(source: Report, target: Report, fields) -> None:
    """Keep the caller's object in step with the locked copy that was saved."""
    if source is not target:
        for name in fields:
            setattr(target, name, getattr(source, name))


def _notify(report: Report, change: StatusChange) -> None:
    """Hand CHANGE to the reporting side, inside the transaction: it sends after commit, nothing on rollback."""
    from concerto.components.reports import services

    notify = getattr(services, "notify_report_change", None)
    if notify is not None:
        notify(report=report, change=change)


def transition_error(report: Report, status: str) -> str | None:
    """Why REPORT cannot go to STATUS (None when it can)."""
    if status not in Status.values:
        return _("Choose a status in the list.")
    if status == report.status:
        return _("The report is already “%(status)s”.") % {"status": Status(status).label}
    if status == Status.DUPLICATE:
        return _("To mark a report as a duplicate, choose the report it repeats (Merge).")
    if report.status == Status.DUPLICATE:
        return _("A duplicate cannot change status: follow the report it was merged into.")
    if status not in TRANSITIONS[report.status]:
        return _("A report “%(current)s” cannot become “%(status)s”.") % {
            "current": Status(report.status).label, "status": Status(status).label}
    return None


@transaction.atomic
def report_transition(*, actor, report: Report, status: str, reason: str = "",
                      public_text: str = "") -> StatusChange:
    given, report = report, Report.objects.select_for_update().get(pk=report.pk)
    problem = transition_error(report, status)
    if problem:
        raise WorkflowError(problem)
    reason, public_text = _clean(reason, TEXT_MAX_LENGTH), _clean(public_text, TEXT_MAX_LENGTH)
    if status == Status.REJECTED and not reason:
        raise WorkflowError(_("Say why the report is rejected: the resident reads this reason."))
    now = timezone.now()
    previous = report.status
    report.status = status
    report.status_reason = reason
    if status != Status.NEW and report.acknowledged_at is None:
        report.acknowledged_at = now
    report.resolved_at = now if status in FINAL else None
    if public_text:
        report.public_answer, report.answered_at = public_text, now
    fields = ["status", "status_reason", "acknowledged_at", "resolved_at", "public_answer", "answered_at",
              "updated_at"]
    report.save(update_fields=fields)
    _copy(report, given, fields)
    change = StatusChange.objects.create(report=report, status=status, reason=reason, public_text=public_text,
                                         actor=actor)
    audit_record(actor=actor, action="reports.status_changed", target=report, organisation=report.organisation,
                 data={"from": previous, "to": status})
    _notify(report, change)
    return change


def allowed_statuses(report: Report) -> list[str]:
    """The statuses an agent may move REPORT to from its current one, in the workflow's order."""
    return [value for value in Status.values if value in TRANSITIONS.get(report.status, set())]


def history_entries(report: Report) -> list[StatusChange]:
    """REPORT's public history, each change marked: `is_answer` (a public answer that kept the status: shown
    as an answer, not as a second « Pris en compte ») and `is_reopening` (its reporter reopened it)."""
    entries, previous = list(report.history.all()), None
    for change in entries:
        change.is_answer = previous is not None and change.status == previous and bool(change.public_text)
        change.is_reopening = previous == Status.RESOLVED and change.status == REOPENED_STATUS
        previous = change.status
    return entries


# --- Reopening by the reporter --------------------------------------------------------------------------

REOPEN_DAYS = 30  # the component setting "reopen_days" (manifest.py) overrides it
REOPENED_STATUS = Status.NEW  # back in the queue of the reports to handle


def reopen_days(report: Report) -> int:
    component = report.component
    days = component.setting("reopen_days") if component is not None else None
    return REOPEN_DAYS if days is None else int(days)


def reopen_deadline(report: Report):
    """Until when REPORT's reporter may reopen it (None when it is not resolved)."""
    if report.status != Status.RESOLVED or report.resolved_at is None:
        return None
    return report.resolved_at + timedelta(days=reopen_days(report))


def reopen_refusal(*, user, report: Report) -> str | None:
    """Why USER cannot reopen REPORT now (None when they can)."""
    if user is None or not user.is_authenticated or report.author_id != user.pk:
        return _("Only the person who sent this report can reopen it.")
    if report.status != Status.RESOLVED:
        return _("Only a resolved report can be reopened.")
    deadline = reopen_deadline(report)
    if deadline is None or timezone.now() > deadline:
        return ngettext(
            "This report was resolved more than %(days)d day ago: it can no longer be reopened. If the problem "
            "is back, send a new report.",
            "This report was resolved more than %(days)d days ago: it can no longer be reopened. If the problem "
            "is back, send a new report.", reopen_days(report)) % {"days": reopen_days(report)}
    return None


@transaction.atomic
def report_reopen(*, user, report: Report, reason: str) -> StatusChange:
    """The reporter says the problem is not solved: REPORT goes back to the queue with REASON, in the public
    history; the service and the followers are told. Refused (WorkflowError, nothing changed) after the
    deadline, for anyone else, or without a reason."""
    given, report = report, Report.objects.select_for_update().get(pk=report.pk)
    problem = reopen_refusal(user=user, report=report)
    if problem:
        raise WorkflowError(problem)
    reason = _clean(reason, TEXT_MAX_LENGTH)
    if not reason:
        raise WorkflowError(_("Say what is still wrong: the service reads it to take the report up again."))
    report.status, report.status_reason, report.resolved_at = REOPENED_STATUS, reason, None
    fields = ["status", "status_reason", "resolved_at", "updated_at"]
    report.save(update_fields=fields)
    _copy(report, given, fields)
    change = StatusChange.objects.create(report=report, status=report.status, reason=reason, actor=user)
    audit_record(actor=user, action="reports.reopened", target=report, organisation=report.organisation,
                 data={"from": Status.RESOLVED, "to": report.status})
    _notify(report, change)
    return change


@transaction.atomic
def report_answer(*, actor, report: Report, text: str) -> StatusChange:
    """Publish a public answer without changing the status (it appears in the public history)."""
    text = _clean(text, TEXT_MAX_LENGTH)
    if not text:
        raise WorkflowError(_("Write the answer the residents will read."))
    report.public_answer, report.answered_at = text, timezone.now()
    report.save(update_fields=["public_answer", "answered_at", "updated_at"])
    change = StatusChange.objects.create(report=report, status=report.status, public_text=text, actor=actor)
    audit_record(actor=actor, action="reports.answered", target=report, organisation=report.organisation)
    _notify(report, change)
    return change


def assignable_agents(report_or_organisation):
    """The users who may be assigned: agents and admins of the report's commune or above it."""
    return kernel_assignable_agents(getattr(report_or_organisation, "organisation", report_or_organisation))


@transaction.atomic
def report_assign(*, actor, report: Report, assignee) -> Report:
    return item_assign(actor=actor, item=report, assignee=assignee, action="reports.assigned",
                       refusal=WorkflowError(_("Assign the report to an agent of its commune.")))


@transaction.atomic
def report_note_add(*, actor, report: Report, text: str) -> InternalNote:
    text = _clean(text, TEXT_MAX_LENGTH)
    if not text:
        raise WorkflowError(_("Write the note."))
    note = InternalNote.objects.create(report=report, author=actor, text=text)
    audit_record(actor=actor, action="reports.note_added", target=report, organisation=report.organisation)
    return note


@transaction.atomic
def photo_hide(*, actor, photo: ReportPhoto, hidden: bool = True) -> ReportPhoto:
    """Hide (or show again) a photo that shows a face or a number plate; the report stays."""
    photo.hidden_at, photo.hidden_by = (timezone.now(), actor) if hidden else (None, None)
    photo.save(update_fields=["hidden_at", "hidden_by"])
    audit_record(actor=actor, action="reports.photo_hidden" if hidden else "reports.photo_shown",
                 target=photo.report, organisation=photo.report.organisation, data={"photo": photo.pk})
    return photo


# --- Merging duplicates ---------------------------------------------------------------------------------

@transaction.atomic
def report_merge(*, actor, report: Report, into: Report) -> Report:
    """REPORT repeats INTO: it becomes a duplicate, its supports, followers and reporter join INTO."""
    given_report, given_into = report, into
    reports = {r.pk: r for r in Report.objects.select_for_update().filter(pk__in=[report.pk, into.pk])}
    if report.pk == into.pk:
        raise WorkflowError(_("A report cannot be a duplicate of itself."))
    if len(reports) != 2:
        raise WorkflowError(_("This report does not exist."))
    report, into = reports[report.pk], reports[into.pk]
    if report.status == Status.DUPLICATE:
        raise WorkflowError(_("This report is already a duplicate."))
    if into.status == Status.DUPLICATE:
        raise WorkflowError(_("Choose the original report, not another duplicate."))
    if report.organisation_id != into.organisation_id:
        raise WorkflowError(_("Both reports must be in the same commune."))
    # Supports: one per person on the target (by account, else by email); the target's reporter never supports.
    users = set(into.supports.exclude(user=None).values_list("user_id", flat=True))
    emails = {e.lower() for e in into.supports.filter(user=None).exclude(email="").values_list("email", flat=True)}
    if into.author_id:
        users.add(into.author_id)
    if into.email:
        emails.add(into.email.lower())
    for support in list(report.supports.all()):
        if (support.user_id and support.user_id in users) or (
                not support.user_id and support.email and support.email.lower() in emails):
            support.delete()
            continue
        support.report = into
        support.save(update_fields=["report"])
        users.add(support.user_id) if support.user_id else emails.add(support.email.lower())
    # The duplicate's reporter had the same problem: they count as a "me too" on the target.
    if report.author_id and report.author_id not in users:
        ReportSupport.objects.create(report=into, user_id=report.author_id)
    elif not report.author_id and report.email and report.email.lower() not in emails:
        ReportSupport.objects.create(report=into, email=report.email)
    # Followers move too, without doubles.
    follows_move(source=report, target=into)
    into.support_count = into.supports.count()
    into.save(update_fields=["support_count", "updated_at"])
    now = timezone.now()
    report.status, report.duplicate_of, report.status_reason = Status.DUPLICATE, into, ""
    report.acknowledged_at = report.acknowledged_at or now
    report.resolved_at = now
    report.support_count = 0
    fields = ["status", "duplicate_of", "status_reason", "acknowledged_at", "resolved_at", "support_count",
              "updated_at"]
    report.save(update_fields=fields)
    _copy(report, given_report, fields)
    _copy(into, given_into, ["support_count", "updated_at"])
    change = StatusChange.objects.create(
        report=report, status=Status.DUPLICATE, actor=actor,
        public_text=_("This report repeats report no. %(number)s: follow it there.") % {"number": into.pk})
    audit_record(actor=actor, action="reports.merged", target=report, organisation=report.organisation,
                 data={"into": into.pk})
    _notify(report, change)
    title = _("Another resident reported the same problem as you")
    body = _("Their report was merged into yours (no. %(number)s).") % {"number": into.pk}
    if into.author_id:
        notification_send(recipients=[into.author], verb="reports.merged", title=title, body=body,
                          url=into.get_absolute_url())
    elif into.email:
        mail_send(addresses=[into.email], subject=title, body=body)
    return report


# --- Bulk actions ---------------------------------------------------------------------------------------

BULK_ACTIONS = ("acknowledge", "assign", "status")


def bulk_apply(*, actor, reports, action: str, status: str = "", reason: str = "", public_text: str = "",
               assignee=None) -> tuple[list[Report], list[tuple[Report, str]]]:
    """Apply one action to each of REPORTS, each in its own transaction; return (done, [(refused, why)])."""
    if action not in BULK_ACTIONS:
        raise WorkflowError(_("Choose an action in the list."))

    def apply(report):
        if action == "acknowledge":
            report_transition(actor=actor, report=report, status=Status.ACKNOWLEDGED, public_text=public_text)
        elif action == "assign":
            report_assign(actor=actor, report=report, assignee=assignee)
        else:
            report_transition(actor=actor, report=report, status=status, reason=reason, public_text=public_text)

    return each_apply(reports, apply, refusals=(WorkflowError,))


# --- Open311 keys ---------------------------------------------------------------------------------------

def open311_key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def open311_key_create(*, actor, organisation, name: str) -> tuple[Open311Key, str]:
    """A new key for ORGANISATION; the raw key is returned once and only its hash is stored."""
    name = _clean(name, 100)
    if not name:
        raise ValidationError({"name": [_("Name the key after the application that will use it.")]})
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    key = Open311Key.objects.create(organisation=organisation, name=name, key_hash=open311_key_hash(raw),
                                    prefix=raw[:8], created_by=actor)
    audit_record(actor=actor, action="reports.open311_key_created", target=organisation,
                 organisation=organisation, data={"key": key.pk, "name": name})
    return key, raw


def open311_key_authenticate(raw) -> Open311Key | None:
    if not raw or not isinstance(raw, str) or len(raw) > 200:
        return None
    key = (Open311Key.objects.select_related("organisation")
           .filter(key_hash=open311_key_hash(raw.strip()), revoked_at=None).first())
    if key is not None:
        now = timezone.now()
        if key.last_used_at is None or now - key.last_used_at > timedelta(minutes=1):
            Open311Key.objects.filter(pk=key.pk).update(last_used_at=now)
            key.last_used_at = now
    return key


@transaction.atomic
def open311_key_revoke(*, actor, key: Open311Key) -> Open311Key:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="reports.open311_key_revoked", target=key.organisation,
                     organisation=key.organisation, data={"key": key.pk})
    return key


# --- Statistics -----------------------------------------------------------------------------------------

def component_reports(component):
    """The reports a component's back-office handles: its organisation's and those of the communes below."""
    return Report.objects.filter(organisation_id__in=component.space.organisation.descendant_ids())


def statistics(component) -> dict:
    """Flat counts for the space page (reports not hidden by moderation): total, open, and per status."""
    counts = dict(component_reports(component).visible().values_list("status").annotate(n=Count("pk")).order_by())
    stats = {"reports": sum(counts.values()),
             "open": sum(counts.get(s, 0) for s in Report.OPEN_STATUSES)}
    for status in Status.values:
        stats[status] = counts.get(status, 0)
    return stats
