"""What the services of every kind of submission share: cleaning the content and the point, locking a row,
the open-data row and the comment counter.

The messages that name the thing ("Give your proposal a title.") are the component's: it passes them in, so
that each keeps its own wording and translation.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

from concerto.core.audit.services import audit_record
from concerto.core.participation.models import Comment
from concerto.core.participation.services import contribution_remove
from concerto.core.participation.submissions.models import Submission
from concerto.core.richtext import plain_text, sanitize_html

TITLE_MAX_LENGTH = Submission._meta.get_field("title").max_length


def submission_content_clean(*, title: str, text: str, errors: dict, text_max_length: int, title_missing: str,
                             text_missing: str, text_too_long: str) -> tuple[str, str]:
    """The title (white space folded) and the sanitised text of a submission, checked.

    Refusals go into ERRORS, keyed by field: TITLE_MISSING, TEXT_MISSING, and TEXT_TOO_LONG (with
    `%(length)s` and `%(max)s`) when what the person typed, markup included, is longer than TEXT_MAX_LENGTH."""
    title = " ".join((title or "").split())
    if not title:
        errors["title"] = [title_missing]
    elif len(title) > TITLE_MAX_LENGTH:
        errors["title"] = [_("The title is too long: %(max)s characters at most.") % {"max": TITLE_MAX_LENGTH}]
    raw = (text or "").strip()
    clean = sanitize_html(raw)
    if not plain_text(clean):
        errors["text"] = [text_missing]
    elif len(raw) > text_max_length:
        errors["text"] = [text_too_long % {"length": len(raw), "max": text_max_length}]
    return title, clean


def submission_category_check(component, category, *, errors: dict) -> None:
    """CATEGORY must be None or one of COMPONENT's categories (a refusal goes into ERRORS["category"])."""
    if category is not None and category.component_id != component.pk:
        errors["category"] = [_("Choose one of the categories of the list.")]


def submission_point_clean(point, *, errors: dict, within=None):
    """(point, commune) for POINT = (latitude, longitude) or None; a refusal goes into ERRORS["location"].

    Without WITHIN, any place of the Métropole will do. With WITHIN (an organisation), the point must lie in
    it; when the communes' outlines are not loaded, the Métropole's bounding box is all that can be checked."""
    from concerto.core.maps import METROPOLE_BOUNDS, Point
    from concerto.core.territory import lookup

    if point is None:
        return None, None
    try:
        latitude, longitude = float(point[0]), float(point[1])
    except (TypeError, ValueError, IndexError):
        latitude = longitude = None
    if latitude is None or not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        errors["location"] = [_("This location is not valid.")]
        return None, None
    outside_metropole = _("This place is outside the Métropole du Grand Paris. "
                          "Choose a place in one of its communes.")
    commune = lookup.commune_at(longitude, latitude)
    if within is None:
        if commune is None and lookup.is_available():
            errors["location"] = [outside_metropole]
            return None, None
    elif lookup.is_available():
        if commune is None or commune.pk not in within.descendant_ids():
            errors["location"] = [_("This place is outside %(name)s: choose a place in it.") % {"name": within.name}]
            return None, None
    else:
        (south, west), (north, east) = METROPOLE_BOUNDS
        if not (south <= latitude <= north and west <= longitude <= east):
            errors["location"] = [outside_metropole]
            return None, None
    return Point(latitude, longitude, getattr(point, "address", "")), commune


def submission_point_apply(submission: Submission, point, commune) -> None:
    """Place SUBMISSION at POINT (None: no location) in COMMUNE, with the address given with POINT, else the
    one at the point (filled later by the worker when the address service fails)."""
    from concerto.core.geocoding import address_set

    if point is None:
        submission.latitude = submission.longitude = None
        submission.commune = None
        submission.address = ""
    else:
        moved = (submission.latitude, submission.longitude) != (point[0], point[1])
        submission.latitude, submission.longitude = point[0], point[1]
        submission.commune = commune
        if getattr(point, "address", "") or moved or not submission.address:
            address_set(submission, getattr(point, "address", ""))


def submission_locked(submission: Submission) -> Submission:
    """SUBMISSION read again under a row lock (inside a transaction), keeping the component already loaded,
    so that an action arriving meanwhile on the same row waits for this one."""
    fresh = type(submission).objects.select_for_update().get(pk=submission.pk)
    fresh.component = submission.component
    return fresh


def submission_is_author(actor, submission: Submission) -> bool:
    return actor is not None and submission.author_id is not None and submission.author_id == actor.pk


def submission_author_locked(submission: Submission, *, actor, changes=None, editable=(), not_author: Exception,
                             blocker=None, refusal=Exception) -> Submission:
    """SUBMISSION locked (see submission_locked) for its author ACTOR to change or withdraw it.

    CHANGES (a dict of field names, when changing) must be among EDITABLE (a programming error otherwise).
    Raises NOT_AUTHOR when ACTOR did not write it, and REFUSAL(reason) when BLOCKER, a function of the
    locked row, gives a reason why it can no longer change."""
    unknown = set(changes or ()) - set(editable)
    if unknown:
        raise TypeError(f"cannot change {', '.join(sorted(unknown))}")
    locked = submission_locked(submission)
    if not submission_is_author(actor, locked):
        raise not_author
    reason = blocker(locked) if blocker else ""
    if reason:
        raise refusal(reason)
    return locked


def submission_old_image_drop(submission: Submission, old_image: str) -> None:
    """Delete OLD_IMAGE's file once the change that replaced or removed it has committed (a rollback keeps it)."""
    if old_image and old_image != (submission.image.name if submission.image else ""):
        storage = submission.image.storage
        transaction.on_commit(lambda: storage.delete(old_image))


def submission_withdrawn(*, actor, locked: Submission, submission: Submission, action: str,
                         also: tuple[str, ...] = ()) -> Submission:
    """Mark LOCKED (SUBMISSION read under lock) withdrawn now, with the fields ALSO it changed: it leaves the
    contributions ledger, the audit log records ACTION, and SUBMISSION learns the date too."""
    locked.withdrawn_at = timezone.now()
    locked.save(update_fields=["withdrawn_at", *also, "updated_at"])
    contribution_remove(target=locked)
    audit_record(actor=actor, action=action, target=locked, organisation=locked.organisation)
    submission.withdrawn_at = locked.withdrawn_at
    return locked


def submission_export_row(submission: Submission, fields: tuple[str, ...], **own) -> dict:
    """One open-data row of SUBMISSION with FIELDS, in that order: the shared ones (id, title, text without
    markup, category, commune, commune_insee, latitude, longitude, comments, created_at, withdrawn_at, url)
    and the component's OWN. Nothing about the people."""
    commune = submission.commune
    values = {
        "id": submission.pk, "title": submission.title, "text": submission.body,
        "category": submission.category.name if submission.category else "",
        "commune": commune.name if commune else "", "commune_insee": commune.insee_code if commune else "",
        "latitude": submission.latitude, "longitude": submission.longitude,
        "comments": submission.comment_count, "created_at": submission.created_at.isoformat(),
        "withdrawn_at": submission.withdrawn_at.isoformat() if submission.withdrawn_at else "",
        **own,
    }
    if "url" in fields:
        values["url"] = submission.get_absolute_url()
    return {name: values[name] for name in fields}


def submissions_summary(component, *, counted: str, submit_until: str, submit: str, closed: str = "") -> str:
    """The space page's sentence about COMPONENT: COUNTED (how many submissions, in words), then what residents
    can do now: SUBMIT_UNTIL (with `%(date)s`) or SUBMIT while submissions are open; otherwise CLOSED, or
    when they open or ended."""
    window = component.window("submissions_open")
    if window.open:
        when = (submit_until % {"date": date_format(window.closes_on, "j F Y")} if window.closes_on else submit)
    else:
        when = closed or window.message
    return format_html("{} {}", counted, when)


def comment_count_refresh(*, model: type[Submission], pk: int, created: bool = False) -> None:
    """Keep `comment_count` of the MODEL row PK equal to the number of visible comments on it: one more for
    a new visible comment (CREATED), a recount after anything else (hidden, restored, deleted)."""
    if created:
        model.objects.filter(pk=pk).update(comment_count=F("comment_count") + 1)
        return
    content_type = ContentType.objects.get_for_model(model)
    count = Comment.objects.visible().filter(target_type=content_type, target_id=pk).count()
    model.objects.filter(pk=pk).update(comment_count=count)


def submission_free_texts(queryset, kind: str):
    """The FreeText (core/registry.py) of each submission of QUERYSET (already limited to what is public): its
    title and its text without markup, for themes. Read in chunks."""
    from concerto.core.registry import FreeText

    for submission in queryset.select_related("component__space__organisation").order_by("pk").iterator(
            chunk_size=1000):
        yield FreeText(kind=kind, id=submission.pk, text=f"{submission.title}. {plain_text(submission.text)}",
                       url=submission.get_absolute_url(), created_at=submission.created_at)
