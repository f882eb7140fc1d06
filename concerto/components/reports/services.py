"""Reporting: submission, photos, "me too", follow, notifications and public data of citizen reports.

Every function takes keyword-only arguments. A report is written in one transaction (photos are checked
before anything is stored); notifications go out after commit, so a rolled-back change sends nothing.
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext as _

from concerto.components.reports import photos as photo_tools
from concerto.components.reports.models import Category, Report, ReportPhoto, ReportSupport, StatusChange
from concerto.core.accounts.verification import VerificationRequired, action_refusal, action_require
from concerto.core.audit.services import audit_record
from concerto.core.errors import Refusal
from concerto.core.geocoding import address_fill
from concerto.core.inputs import BadInput, email_check
from concerto.core.participation.behalf import behalf_check
from concerto.core.participation.feed import feed_publish
from concerto.core.participation.notifications import mail_send
from concerto.core.participation.services import (
    contribution_record,
    follow_add,
    followers_of,
    notification_send,
)
from concerto.core.ratelimit import send_limited

DESCRIPTION_MAX_LENGTH = 5000
MAX_PHOTOS = 3


def new_token() -> str:
    return secrets.token_urlsafe(24)


class ReportError(Refusal):
    """An action refused for a reason the person must read."""


# Actions reserved to verified residents -----------------------------------------------------------------

def components_covering(organisation) -> list:
    """The reports components of ORGANISATION (a commune) and of the organisations above it (territory,
    Métropole). Their settings govern what comes without a page of its own: Open311 requests, and "me too"
    on the reports those requests created. Published or not: a reservation is the agents' intent either way."""
    from concerto.core.spaces.models import Component

    if organisation is None:
        return []
    ids = [organisation.pk, *(parent.pk for parent in organisation.ancestors())]
    return list(Component.objects.filter(kind="reports", space__organisation_id__in=ids)
                .select_related("space__organisation").order_by("pk"))


def _governing(*, component=None, organisation=None) -> list:
    return [component] if component is not None else components_covering(organisation)


def report_refusal(*, user, component=None, organisation=None, next_url: str = "") -> VerificationRequired | None:
    """Why USER may not send a report through COMPONENT's page (or, without a page, at a point of the commune
    ORGANISATION), or None when they may: see verification.action_refusal."""
    for governing in _governing(component=component, organisation=organisation):
        refusal = action_refusal(user=user, component=governing, action="report", next_url=next_url)
        if refusal is not None:
            return refusal
    return None


def support_refusal(*, user, report: Report, next_url: str = "") -> VerificationRequired | None:
    """Why USER may not say "me too" on REPORT (its component's rule, or for a report without one, the rules
    of the components covering its commune), or None when they may."""
    component = report.component if report.component_id else None
    for governing in _governing(component=component, organisation=report.organisation):
        refusal = action_refusal(user=user, component=governing, action="support", next_url=next_url)
        if refusal is not None:
            return refusal
    return None


# Submission -------------------------------------------------------------------------------------------

def commune_for_point(*, latitude: float, longitude: float):
    """The commune at the point, or a ValidationError keyed by "location"."""
    from concerto.core.territory import lookup

    try:
        latitude, longitude = float(latitude), float(longitude)
    except (TypeError, ValueError):
        raise ValidationError({"location": [_("This location is not valid.")]}) from None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ValidationError({"location": [_("This location is not valid.")]})
    commune = lookup.commune_at(longitude, latitude)
    if commune is None:
        raise ValidationError({"location": [_("This point is outside the Métropole du Grand Paris.")]})
    return commune


def categories_at(*, latitude: float, longitude: float):
    """The active categories of the commune at the point (none outside the Métropole)."""
    try:
        commune = commune_for_point(latitude=latitude, longitude=longitude)
    except ValidationError:
        return Category.objects.none()
    return Category.objects.filter(organisation=commune, active=True)


def answers_clean(*, category: Category, raw: dict) -> dict:
    """The answers to CATEGORY's extra questions, checked (required, types), or a ValidationError keyed
    by "q_<code>"."""
    from datetime import datetime

    errors: dict[str, list[str]] = {}
    answers: dict = {}
    for question in category.questions.all():
        key = f"q_{question.code}"
        value = raw.get(question.code)
        if isinstance(value, str):
            value = value.strip()
        empty = value in (None, "", [], ())
        if empty:
            if question.required:
                errors[key] = [_("Answer this question: %(label)s") % {"label": question.label}]
            continue
        keys = {str(option.get("key")) for option in question.options or []}
        kind = question.datatype
        if kind == "number":
            try:
                number = float(str(value).replace(",", "."))
            except ValueError:
                errors[key] = [_("Enter a number.")]
                continue
            value = int(number) if number.is_integer() else number
        elif kind == "datetime":
            try:
                value = datetime.fromisoformat(str(value)).isoformat()
            except ValueError:
                errors[key] = [_("Enter a date and time, such as 2026-03-14 09:30.")]
                continue
        elif kind == "singlevaluelist":
            if str(value) not in keys:
                errors[key] = [_("Choose one of the answers of the list.")]
                continue
            value = str(value)
        elif kind == "multivaluelist":
            values = [str(v) for v in (value if isinstance(value, list | tuple) else [value])]
            if any(v not in keys for v in values):
                errors[key] = [_("Choose answers of the list.")]
                continue
            value = values
        else:
            value = str(value)
            limit = 300 if kind == "string" else 3000
            if len(value) > limit:
                errors[key] = [_("This answer is too long: %(max)s characters at most.") % {"max": limit}]
                continue
        answers[question.code] = value
    if errors:
        raise ValidationError(errors)
    return answers


def _location_errors(*, latitude, longitude, component, api_key, errors: dict):
    """The commune at the point (None if there is none), after the location's errors went into ERRORS: a point
    outside the component's organisation, or outside the commune of the client's API KEY."""
    commune = None
    try:
        commune = commune_for_point(latitude=latitude, longitude=longitude)
    except ValidationError as error:
        errors.update(error.message_dict)
    if api_key is not None and (commune is None or commune.pk != api_key.organisation_id):
        errors["location"] = [_("the point is outside %(commune)s, the jurisdiction of the request.")
                              % {"commune": api_key.organisation.name}]
    elif commune is not None and component is not None:
        within = component.space.organisation
        allowed = {within.pk} if within.is_commune else within.descendant_ids() | {within.pk}
        if commune.pk not in allowed:
            errors["location"] = [_("This point is in %(commune)s, outside %(name)s: reports here go to "
                                    "another commune.") % {"commune": commune.name, "name": within.name}]
    return commune


def _content_errors(*, commune, category, kind: str, description: str, author, email: str, errors: dict) -> None:
    if kind not in Report.Kind.values:
        errors["kind"] = [_("Choose what you want to do.")]
    if category is None or not category.active:
        errors["category"] = [_("Choose one of the categories of the list.")]
    elif commune is not None and category.organisation_id != commune.pk and "location" not in errors:
        errors["category"] = [_("The category “%(category)s” is not one of %(commune)s, where this point is. "
                                "Choose one of its categories.") % {"category": category.name,
                                                                  "commune": commune.name}]
    if len(description) > DESCRIPTION_MAX_LENGTH:
        errors["description"] = [_("The description is too long: %(max)s characters at most.")
                                 % {"max": DESCRIPTION_MAX_LENGTH}]
    if kind == Report.Kind.MALFUNCTION and not description:
        errors["description"] = [_("Describe the problem in a few words.")]
    if author is None:
        if not email:
            errors["email"] = [_("Give an email address to follow your report, or sign in.")]
        else:
            try:
                email_check(email)
            except BadInput as error:
                errors["email"] = [error.message]


def _photos_cleaned(photos, errors: dict) -> list:
    """PHOTOS checked and re-encoded (nothing stored yet), or [] with the problem in ERRORS."""
    photos = [photo for photo in photos if photo]
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = [_("Send %(max)s photos at most.") % {"max": MAX_PHOTOS}]
        return []
    try:
        return [photo_tools.photo_clean(photo) for photo in photos]
    except ValidationError as error:
        errors["photos"] = error.messages
        return []


@send_limited("report")
@transaction.atomic
def report_create(*, author=None, component=None, category: Category, kind: str, latitude: float,
                  longitude: float, description: str = "", address: str = "", answers: dict | None = None,
                  photos=(), email: str = "", channel: str = "web", api_key=None, device_id: str = "",
                  on_behalf_of=None) -> Report:
    """Someone reports at (LATITUDE, LONGITUDE): the commune at the point takes it, if CATEGORY is one of
    its categories. AUTHOR is an account, or None with EMAIL to follow it. PHOTOS are uploaded files, all
    checked and cleaned before anything is stored. API_KEY (an Open311Key) and DEVICE_ID say which client
    application sent it: the point must then be in the key's commune. ON_BEHALF_OF: an actor AUTHOR is a member
    of (core/participation/behalf.py), of the component's organisation (without one, of the commune at the point).
    Raises ValidationError keyed by field
    (all the problems at once), or VerificationRequired when reporting is reserved to verified residents and
    AUTHOR is not one (without COMPONENT, as through Open311, the components covering the commune at the
    point decide)."""
    errors: dict[str, list[str]] = {}
    author = author if author is not None and author.is_authenticated else None
    if component is not None:
        action_require(user=author, component=component, action="report")
    commune = _location_errors(latitude=latitude, longitude=longitude, component=component, api_key=api_key,
                               errors=errors)
    behalf_check(user=author, organisation=component.space.organisation if component is not None else commune,
                 actor=on_behalf_of)
    if component is None and commune is not None:
        refusal = report_refusal(user=author, organisation=commune)
        if refusal is not None:
            raise refusal
    description = (description or "").strip()
    email = (email or "").strip()
    _content_errors(commune=commune, category=category, kind=kind, description=description, author=author,
                    email=email, errors=errors)
    if category is not None and "category" not in errors:
        try:
            answers = answers_clean(category=category, raw=answers or {})
        except ValidationError as error:
            errors.update(error.message_dict)
    cleaned = _photos_cleaned(photos, errors)
    if errors:
        raise ValidationError(errors)
    report = Report.objects.create(
        component=component, organisation=commune, category=category, kind=kind, description=description,
        latitude=round(float(latitude), 7), longitude=round(float(longitude), 7), address=(address or "").strip()[:250],
        answers=answers or {}, author=author, email="" if author else email, channel=channel,
        service=category.service if category.service_id and category.service.active else None,
        api_key=api_key, device_id=(device_id or "")[:100],
        # The model's default token (43 characters) does not fit its 40-character column on PostgreSQL.
        token=new_token(),
    )
    # Where the reporter gave no address, the one at the point (now, or later by the worker).
    address_fill(report)
    for position, content in enumerate(cleaned):
        photo = ReportPhoto(report=report, width=content.width, height=content.height, position=position)
        photo.image.save(content.name, content, save=False)
        photo.save()
    StatusChange.objects.create(report=report, status=report.status, actor=author)
    if author is not None:
        follow_add(user=author, target=report)
    contribution_record(kind="reports.report", target=report, component=component, author=author, channel=channel,
                        on_behalf_of=on_behalf_of)
    audit_record(actor=author, action="reports.report_created", target=report, organisation=commune)
    with translation.override(settings.LANGUAGE_CODE):
        feed_publish(item=report, kind="reports.created", organisation=commune,
                     space=component.space if component is not None else None,
                     title=_("Report: %(category)s") % {"category": category.name},
                     summary=report.address or description[:200], url=report.get_absolute_url(),
                     published_at=report.created_at, point=(report.latitude, report.longitude),
                     to_organisation=False)
    if author is not None:
        # The receipt: the reference and the link, on the site and by email (the kernel's notifications).
        with translation.override(settings.LANGUAGE_CODE):
            notification_send(
                recipients=[author], verb="reports.receipt",
                title=_("Your report no. %(id)s is sent") % {"id": report.pk},
                body=_("Thank you: %(commune)s received your report “%(category)s”. You will get an email at each "
                       "change of its status.") % {"commune": commune.name, "category": category.name},
                url=report.get_absolute_url(), data={"report": report.pk})
    else:
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("Your report no. %(id)s is sent") % {"id": report.pk}
            mail_send(addresses=[email], subject=subject, body="\n\n".join([
                _("Hello,"),
                _("Thank you: %(commune)s received your report “%(category)s”. You will get an email at each "
                  "change of its status.") % {"commune": commune.name, "category": category.name},
                _("Read more: %(url)s") % {"url": _absolute(report.get_absolute_url())}]))
    if category.service_id and category.service.email:
        mail_send(
            addresses=[category.service.email],
            subject=_("New report: %(category)s") % {"category": category.name},
            body=_("A new report was sent (%(kind)s) at %(address)s.\n\n%(description)s\n\n%(url)s") % {
                "kind": report.get_kind_display(), "address": report.address or f"{latitude}, {longitude}",
                "description": description, "url": _absolute(report.get_absolute_url())})
    return report


# "Me too" and follow ----------------------------------------------------------------------------------

@send_limited("report_support")
@transaction.atomic
def report_support_add(*, report: Report, user=None, email: str = "") -> ReportSupport:
    """USER (or, without an account, EMAIL) has the same problem: one "me too" each, and they follow the
    report (an account through the kernel's follows, an email through its support row). Raises
    VerificationRequired when "me too" is reserved to verified residents and USER is not one."""
    user = user if user is not None and user.is_authenticated else None
    refusal = support_refusal(user=user, report=report)
    if refusal is not None:
        raise refusal
    if not report.is_public:
        raise ReportError(_("This report is not published."))
    if not report.is_open:
        raise ReportError(_("This report is closed: it no longer takes “me too”."))
    email = (email or "").strip()
    if user is None:
        if not email:
            raise ValidationError({"email": [_("Give an email address to follow this report, or sign in.")]})
        try:
            email_check(email)
        except BadInput as error:
            raise ValidationError({"email": [error.message]}) from None
    Report.objects.select_for_update().filter(pk=report.pk).first()
    if user is not None and (report.author_id == user.pk):
        raise ReportError(_("You sent this report: you already follow it."))
    same = ReportSupport.objects.filter(report=report)
    same = same.filter(user=user) if user is not None else same.filter(user__isnull=True, email__iexact=email)
    if same.exists() or (user is None and report.author_id is None and report.email.lower() == email.lower()):
        raise ReportError(_("You already said “me too” on this report: it is counted once."))
    try:
        with transaction.atomic():
            support = ReportSupport.objects.create(report=report, user=user, email="" if user else email)
    except IntegrityError:
        raise ReportError(_("You already said “me too” on this report: it is counted once.")) from None
    Report.objects.filter(pk=report.pk).update(support_count=F("support_count") + 1)
    report.support_count += 1
    if user is not None:
        follow_add(user=user, target=report)
    audit_record(actor=user, action="reports.support_added", target=report, organisation=report.organisation)
    return support


def report_follow_add(*, user, report: Report) -> None:
    if not report.is_public:
        raise ReportError(_("This report is not published."))
    follow_add(user=user, target=report)


# Notifications ----------------------------------------------------------------------------------------

def _absolute(url: str) -> str:
    return settings.SITE_URL.rstrip("/") + url if url.startswith("/") else url


def notify_report_change(*, report: Report, change: StatusChange) -> None:
    """Tell the reporter and the followers of REPORT about CHANGE (a status change, a public answer):
    in-app notifications (with their emails) for accounts, a plain email for people who reported or said
    "me too" with an email address only. Sent after commit; the agent who made the change is left out."""
    actor = change.actor if change.actor_id else None
    recipients = list(followers_of(report))
    if report.author_id and report.author is not None:
        recipients.append(report.author)
    recipients.extend(s.user for s in report.supports.select_related("user").filter(user__isnull=False))
    if actor is not None:
        recipients = [user for user in recipients if user.pk != actor.pk]
    emails = [report.email] if report.email and not report.author_id else []
    emails += list(report.supports.filter(user__isnull=True).exclude(email="").values_list("email", flat=True))
    with translation.override(settings.LANGUAGE_CODE):
        status = str(Report.Status(change.status).label).lower() if change.status in Report.Status.values else ""
        previous = report.history.filter(pk__lt=change.pk).order_by("-pk").first() if change.pk else None
        reopened = (previous is not None and previous.status == Report.Status.RESOLVED
                    and change.status != Report.Status.RESOLVED and change.actor_id is not None
                    and change.actor_id == report.author_id)
        if reopened:
            title = _("The report “%(category)s” (no. %(id)s) is reopened by the person who sent it") % {
                "category": report.category.name, "id": report.pk}
        elif change.public_text and previous is not None and previous.status == change.status:
            title = _("%(organisation)s answered the report “%(category)s” (no. %(id)s)") % {
                "organisation": report.organisation.name, "category": report.category.name, "id": report.pk}
        else:
            title = _("The report “%(category)s” (no. %(id)s) is now: %(status)s") % {
                "category": report.category.name, "id": report.pk, "status": status}
        body = change.public_text or (change.reason if change.status == Report.Status.REJECTED or reopened else "")
        if change.status == Report.Status.DUPLICATE and report.duplicate_of_id:
            body = "\n\n".join(part for part in [body, _("It is followed in report no. %(id)s: %(url)s") % {
                "id": report.duplicate_of_id, "url": _absolute(report.duplicate_of.get_absolute_url())}] if part)
        url = report.get_absolute_url()
        notification_send(recipients=recipients, verb="reports.status_changed", title=title, body=body, url=url)
        if emails:
            text = "\n\n".join(part for part in [
                _("Hello,"), title, body, _("Read more: %(url)s") % {"url": _absolute(url)},
                _("You get this email because you sent this report or said “me too” on it.")] if part)
            mail_send(addresses=emails, subject=title, body=text)
        if reopened and report.service_id and report.service.email:
            mail_send(addresses=[report.service.email], subject=title,
                      body="\n\n".join([title, body, _absolute(report.get_absolute_url())]))


# Public data ------------------------------------------------------------------------------------------

def export_reports(component) -> list[dict]:
    """Open data: the public reports of the component's organisation, without any personal data."""
    from concerto.components.reports.open_datasets import rows

    return list(rows(components=[component], organisation=None))


def summary(component, request) -> str:
    organisation = component.space.organisation
    ids = {organisation.pk} | set(organisation.descendant_ids())
    reports = Report.objects.public().filter(organisation_id__in=ids)
    total = reports.count()
    if not total:
        return _("No report yet.")
    open_count = reports.open().count()
    resolved = reports.filter(status=Report.Status.RESOLVED).count()
    return _("%(total)s reports, %(open)s open, %(resolved)s resolved.") % {
        "total": total, "open": open_count, "resolved": resolved}


def personal_data(user) -> dict:
    reports = Report.objects.filter(author=user).select_related("category", "organisation")
    return {
        "reports": [{"id": r.pk, "commune": r.organisation.name, "category": r.category.name, "kind": r.kind,
                     "description": r.description, "address": r.address, "latitude": r.latitude,
                     "longitude": r.longitude, "status": r.status, "reported_on": r.created_at.isoformat()}
                    for r in reports],
        "me_too": [{"report": s.report_id, "on": s.created_at.isoformat()}
                   for s in ReportSupport.objects.filter(user=user)],
    }


@transaction.atomic
def erase_personal_data(user) -> None:
    """The user's reports stay (the problem is still there) but no longer point at them."""
    Report.objects.filter(author=user).update(author=None, email="")
    ReportSupport.objects.filter(user=user).update(user=None, email="")
    Report.objects.filter(assignee=user).update(assignee=None)
