"""The follow-up of winning projects: progress updates with photos, told to followers and authors."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from concerto.components.budgets.models import ProgressUpdate, Project, ProjectPhoto
from concerto.components.budgets.services.common import TEXT_MAX_LENGTH, ProjectError, notify, person
from concerto.core.audit.services import audit_record
from concerto.core.participation.services import followers_of
from concerto.core.participation.submissions.services import submission_locked
from concerto.core.richtext import plain_text, sanitize_html
from concerto.core.uploads import image_clean

MAX_PHOTOS_PER_UPDATE = 3


@transaction.atomic
def progress_update_create(*, actor, project: Project, implementation: str, progress: int, text: str = "",
                           photos=(), works_start=None, works_end=None) -> ProgressUpdate:
    """News of a winning PROJECT on its way: status, progress (%), text, up to 3 photos (file, alt) and
    the works' dates. Its followers and its author are notified after commit."""
    errors: dict[str, list[str]] = {}
    if implementation not in Project.Implementation.values or not implementation:
        errors["implementation"] = [_("Choose a status from the list.")]
    try:
        progress = int(progress)
    except (TypeError, ValueError):
        progress = -1
    if not 0 <= progress <= 100:
        errors["progress"] = [_("The progress is a percentage between 0 and 100.")]
    raw = (text or "").strip()
    clean = sanitize_html(raw)
    if len(raw) > TEXT_MAX_LENGTH:
        errors["text"] = [_("The text is too long: %(max)s characters at most.") % {"max": TEXT_MAX_LENGTH}]
    photos = [(file, " ".join((alt or "").split())) for file, alt in photos if file]
    if len(photos) > MAX_PHOTOS_PER_UPDATE:
        errors["photos"] = [_("Three photos at most per update.")]
    cleaned = []
    for number, (file, alt) in enumerate(photos, start=1):
        try:
            cleaned.append((image_clean(file), alt))
        except ValidationError as error:
            errors[f"photo_{number}"] = error.messages
            continue
        if not alt:
            errors[f"photo_{number}_alt"] = [_("Describe the photo for people who cannot see it.")]
        elif len(alt) > ProjectPhoto._meta.get_field("alt").max_length:
            errors[f"photo_{number}_alt"] = [_("The description is too long: 200 characters at most.")]
    if works_start and works_end and works_end < works_start:
        errors["works_end"] = [_("The end of the works cannot come before their start.")]
    if errors:
        raise ValidationError(errors)
    locked = submission_locked(project)
    if not locked.selected:
        raise ProjectError(_("Only winning projects have a follow-up."))
    update = ProgressUpdate.objects.create(project=locked, author=person(actor), implementation=implementation,
                                           progress=progress, text=clean)
    for position, (file, alt) in enumerate(cleaned):
        ProjectPhoto.objects.create(project=locked, update=update, image=file, alt=alt, position=position)
    locked.implementation, locked.progress = implementation, progress
    if works_start:
        locked.works_start = works_start
    if works_end:
        locked.works_end = works_end
    locked.save(update_fields=["implementation", "progress", "works_start", "works_end", "updated_at"])
    audit_record(actor=actor, action="budgets.progress_updated", target=locked, organisation=locked.organisation,
                 data={"implementation": implementation, "progress": progress})
    if locked.is_public:
        with translation.override(settings.LANGUAGE_CODE):
            title = _("News of the project “%(title)s”: %(status)s, %(progress)s %%") % {
                "title": locked.title, "status": str(Project.Implementation(implementation).label).lower(),
                "progress": progress}
            body = plain_text(clean)
        notify(actor=actor, recipients=[locked.author, *followers_of(locked)], verb="budgets.project_progress",
                title=title, body=body, url=locked.get_absolute_url())
    return update
