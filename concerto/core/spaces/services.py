"""Write actions on spaces, their steps and their components. Each one writes an audit entry.

The rules are checked here, not only in the forms, so the back-office, the API and scripts share them.
A broken rule raises ValidationError with a message per field name, ready for `form.add_error(None, e)`.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from concerto.core import registry
from concerto.core.audit.services import audit_record
from concerto.core.spaces.models import Component, Space, Step
from concerto.core.spaces.signals import space_published
from concerto.core.uploads import image_clean

# Back-office pages of an organisation live at /gestion/<org_slug>/<word>/, next to its spaces:
# a space may not take one of these words as its slug.
BACKOFFICE_WORDS = {"equipe", "reglages", "journal", "moderation", "espaces", "nouveau", "residents", "contours",
                    "taches", "participation", "canaux", "lettres", "acteurs", "kits",
                    "campagnes", "quartiers"}


def reserved_space_slugs() -> set[str]:
    return registry.reserved_slugs() | BACKOFFICE_WORDS


def space_slug_suggest(*, organisation, title: str, exclude_pk=None) -> str:
    """A free slug for a space of ORGANISATION, made from TITLE."""
    base = slugify(title)[:90].strip("-") or "espace"
    taken = set(Space.objects.filter(organisation=organisation).exclude(pk=exclude_pk)
                .values_list("slug", flat=True)) | reserved_space_slugs()
    slug, number = base, 2
    while slug in taken:
        slug = f"{base}-{number}"
        number += 1
    return slug


def _check_dates(start_date, end_date, errors: dict) -> None:
    if start_date and end_date and end_date < start_date:
        errors.setdefault("end_date", []).append(_("The end date must be on or after the start date."))


def _check_space(space: Space, scope, image, errors: dict):
    """Collect what is wrong with SPACE into ERRORS; return the image to store (a new one cleaned)."""
    if not space.title.strip():
        errors.setdefault("title", []).append(_("Give the space a title."))
    if space.slug in reserved_space_slugs():
        errors.setdefault("slug", []).append(
            _("“%(slug)s” is a word the site already uses in its addresses. Choose another one.")
            % {"slug": space.slug})
    elif Space.objects.filter(organisation=space.organisation, slug=space.slug).exclude(pk=space.pk).exists():
        errors.setdefault("slug", []).append(
            _("Another space of this organisation already uses the address “%(slug)s”.")
            % {"slug": space.slug})
    _check_dates(space.start_date, space.end_date, errors)
    if scope:
        allowed = set(space.allowed_scope().values_list("pk", flat=True))
        if any(org.pk not in allowed for org in scope):
            errors.setdefault("scope", []).append(
                _("A space can only concern its own organisation or the communes below it."))
    if image:
        try:
            return image_clean(image)
        except ValidationError as error:
            errors.setdefault("image", []).extend(error.messages)
    return image


def _save_with_unique_slug(space: Space) -> None:
    """Save SPACE; a slug taken by a request that saved a moment earlier becomes a form error."""
    try:
        with transaction.atomic():
            space.save()
    except IntegrityError:
        raise ValidationError({"slug": [
            _("Another space of this organisation already uses the address “%(slug)s”.") % {"slug": space.slug}
        ]}) from None


@transaction.atomic
def space_create(*, actor, organisation, title: str, slug: str | None = None, summary: str = "",
                 description: str = "", image=None, image_alt: str = "", start_date=None, end_date=None,
                 scope=(), topics=()) -> Space:
    """Create a draft space. An empty SLUG is made from the title."""
    title = (title or "").strip()
    space = Space(
        organisation=organisation, title=title, summary=(summary or "").strip(),
        description=(description or "").strip(), image_alt=(image_alt or "").strip(),
        start_date=start_date, end_date=end_date,
        slug=slug or space_slug_suggest(organisation=organisation, title=title),
    )
    errors: dict = {}
    image = _check_space(space, scope, image, errors)
    if errors:
        raise ValidationError(errors)
    if image:
        space.image = image
    _save_with_unique_slug(space)
    space.scope.set(scope)
    space.topics.set(topics)
    audit_record(actor=actor, action="space.created", target=space, organisation=organisation,
                 data={"slug": space.slug})
    return space


SPACE_FIELDS = ("title", "slug", "summary", "description", "image_alt", "start_date", "end_date")


@transaction.atomic
def space_update(*, actor, space: Space, title: str, slug: str | None = None, summary: str = "",
                 description: str = "", image=None, image_alt: str = "", start_date=None, end_date=None,
                 scope=(), topics=None) -> Space:
    """Change a space. IMAGE None keeps the current image, False removes it, a file replaces it; TOPICS None
    keeps its topics."""
    before = {name: getattr(space, name) for name in SPACE_FIELDS}
    before_scope = set(space.scope.values_list("pk", flat=True))
    before_topics = set(space.topics.values_list("pk", flat=True))
    space.title = (title or "").strip()
    space.slug = slug or space_slug_suggest(organisation=space.organisation, title=space.title,
                                            exclude_pk=space.pk)
    space.summary = (summary or "").strip()
    space.description = (description or "").strip()
    space.image_alt = (image_alt or "").strip()
    space.start_date, space.end_date = start_date, end_date
    errors: dict = {}
    image = _check_space(space, scope, image, errors)
    if space.is_published and not errors:
        for problem in space.publish_problems():
            errors.setdefault("__all__", []).append(problem)
    if errors:
        for name, value in before.items():
            setattr(space, name, value)
        raise ValidationError(errors)
    if image is False:
        space.image = ""
    elif image:
        space.image = image
    _save_with_unique_slug(space)
    space.scope.set(scope)
    changed = [name for name in SPACE_FIELDS if getattr(space, name) != before[name]]
    if image is not None:
        changed.append("image")
    if set(space.scope.values_list("pk", flat=True)) != before_scope:
        changed.append("scope")
    if topics is not None:
        space.topics.set(topics)
        if set(space.topics.values_list("pk", flat=True)) != before_topics:
            changed.append("topics")
    audit_record(actor=actor, action="space.updated", target=space, organisation=space.organisation,
                 data={"fields": changed})
    return space


@transaction.atomic
def space_publish(*, actor, space: Space) -> Space:
    problems = space.publish_problems()
    if problems:
        raise ValidationError(problems)
    space.status = Space.Status.PUBLISHED
    space.published_at = space.published_at or timezone.now()
    space.save(update_fields=["status", "published_at", "updated_at"])
    audit_record(actor=actor, action="space.published", target=space, organisation=space.organisation)
    space_published.send(sender=Space, space=space)
    return space


@transaction.atomic
def space_unpublish(*, actor, space: Space) -> Space:
    space.status = Space.Status.DRAFT
    space.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="space.unpublished", target=space, organisation=space.organisation)
    return space


@transaction.atomic
def space_archive(*, actor, space: Space) -> Space:
    space.status = Space.Status.ARCHIVED
    space.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="space.archived", target=space, organisation=space.organisation)
    return space


def _check_step(step: Step) -> None:
    errors: dict = {}
    if not step.title.strip():
        errors["title"] = [_("Give the step a title.")]
    _check_dates(step.start_date, step.end_date, errors)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def step_create(*, actor, space: Space, title: str, start_date, end_date, description: str = "") -> Step:
    position = (space.steps.aggregate(last=Max("position"))["last"] or 0) + 1
    step = Step(space=space, title=(title or "").strip(), description=(description or "").strip(),
                start_date=start_date, end_date=end_date, position=position)
    _check_step(step)
    step.save()
    audit_record(actor=actor, action="step.created", target=step, organisation=space.organisation,
                 data={"space": space.pk})
    return step


@transaction.atomic
def step_update(*, actor, step: Step, title: str, start_date, end_date, description: str = "") -> Step:
    before = (step.title, step.description, step.start_date, step.end_date)
    step.title, step.description = (title or "").strip(), (description or "").strip()
    step.start_date, step.end_date = start_date, end_date
    try:
        _check_step(step)
    except ValidationError:
        step.title, step.description, step.start_date, step.end_date = before
        raise
    step.save()
    audit_record(actor=actor, action="step.updated", target=step, organisation=step.space.organisation,
                 data={"space": step.space_id})
    return step


@transaction.atomic
def step_delete(*, actor, step: Step) -> None:
    space = step.space
    # The components' settings for this step would otherwise linger, keyed by a deleted id.
    for component in space.components.all():
        if str(step.pk) in (component.step_settings or {}):
            component.step_settings.pop(str(step.pk))
            component.save(update_fields=["step_settings"])
    audit_record(actor=actor, action="step.deleted", target=step, organisation=space.organisation,
                 data={"space": space.pk, "title": step.title})
    step.delete()


@transaction.atomic
def component_add(*, actor, space: Space, kind: str, title: str) -> Component:
    try:
        registry.get(kind)
    except LookupError:
        raise ValidationError({"kind": [_("This type of component does not exist.")]}) from None
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": [_("Give the component a title.")]})
    position = (space.components.aggregate(last=Max("position"))["last"] or 0) + 1
    component = Component.objects.create(space=space, kind=kind, title=title, position=position)
    audit_record(actor=actor, action="component.added", target=component, organisation=space.organisation,
                 data={"space": space.pk, "kind": kind})
    return component


def step_settings_key(step, name: str) -> str:
    """The error key of the step setting NAME of STEP (also the form field's name)."""
    return f"step_{step.pk}__{name}"


@transaction.atomic
def component_update_settings(*, actor, component: Component, settings: dict, step_settings: dict,
                              title: str | None = None, verified_actions: list | None = None) -> Component:
    """Validate and store the global SETTINGS and the STEP_SETTINGS (step id -> raw values), and, when given,
    the VERIFIED_ACTIONS (names of the manifest's actions reserved to verified residents).

    Errors are keyed by setting name for the global settings and by `step_<id>__<name>` for steps. A partial
    update keeps what it does not name: settings left out of SETTINGS or of a step's values keep their stored
    value (`clean_settings(current=)`), steps left out keep theirs, VERIFIED_ACTIONS None keeps the list.
    """
    manifest = component.manifest
    errors: dict = {}
    try:
        cleaned = manifest.clean_settings(settings, current=manifest.settings_for(component))
    except ValidationError as error:
        errors.update(error.message_dict)
        cleaned = {}
    steps = {str(step.pk): step for step in component.space.steps.all()}
    cleaned_steps = {}
    for step_id, raw in step_settings.items():
        step = steps.get(str(step_id))
        if step is None:
            errors.setdefault("__all__", []).append(_("This step does not belong to the space."))
            continue
        try:
            cleaned_steps[str(step.pk)] = manifest.clean_step_settings(
                raw, current=manifest.step_settings_for(component, step))
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors[step_settings_key(step, name) if name != "__all__" else "__all__"] = messages
    if title is not None and not title.strip():
        errors["title"] = [_("Give the component a title.")]
    if verified_actions is not None:
        known = [action.name for action in manifest.actions]
        unknown = sorted(set(verified_actions) - set(known))
        if unknown:
            errors["verified_actions"] = [_("Unknown actions: %(names)s") % {"names": ", ".join(unknown)}]
        verified_actions = [name for name in known if name in verified_actions]
    if errors:
        raise ValidationError(errors)
    component.settings = cleaned
    component.step_settings = {**(component.step_settings or {}), **cleaned_steps}
    if title is not None:
        component.title = title.strip()
    if verified_actions is not None:
        component.verified_actions = verified_actions
    component.save(update_fields=["settings", "step_settings", "title", "verified_actions"])
    audit_record(actor=actor, action="component.settings_updated", target=component,
                 organisation=component.space.organisation,
                 data={"settings": cleaned, "step_settings": cleaned_steps,
                       "verified_actions": list(component.verified_actions or [])})
    return component


def component_participation(component: Component) -> int:
    """How many things residents put in COMPONENT: its rows in the contributions ledger, plus what its
    manifest counts besides (registrations...). The ledger is read through its foreign key to the component
    (`Contribution.component`, related name `contributions`): spaces sit below participation and import none of it."""
    count = component.contributions.count()
    try:
        counter = component.manifest.participation_count
    except LookupError:
        counter = None
    return count + (counter(component) if counter else 0)


@transaction.atomic
def component_delete(*, actor, component: Component) -> None:
    """Delete COMPONENT and what agents put in it. Refused (ValidationError) while it is published, or once
    residents took part in it: what they sent must not vanish; unpublishing hides it instead."""
    if component.published:
        raise ValidationError(_("Unpublish the component before deleting it."))
    count = component_participation(component)
    if count:
        raise ValidationError(ngettext(
            "Residents already took part in this component (%(count)s contribution): it cannot be deleted, so "
            "that nothing they sent is lost. Leave it unpublished instead.",
            "Residents already took part in this component (%(count)s contributions): it cannot be deleted, so "
            "that nothing they sent is lost. Leave it unpublished instead.", count) % {"count": count})
    space = component.space
    audit_record(actor=actor, action="component.deleted", target=component, organisation=space.organisation,
                 data={"space": space.pk, "kind": component.kind, "title": component.title})
    component.delete()


@transaction.atomic
def component_move(*, actor, component: Component, direction: str) -> None:
    """Move COMPONENT one place up or down among its space's components (the order of the space's page)."""
    if direction not in ("up", "down"):
        raise ValueError(direction)
    components = list(component.space.components.select_for_update().order_by("position", "pk"))
    index = next(i for i, other in enumerate(components) if other.pk == component.pk)
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(components):
        components[index], components[target] = components[target], components[index]
    for position, other in enumerate(components, start=1):
        if other.position != position:
            Component.objects.filter(pk=other.pk).update(position=position)
    audit_record(actor=actor, action="component.moved", target=component,
                 organisation=component.space.organisation, data={"direction": direction})


@transaction.atomic
def component_publish(*, actor, component: Component) -> Component:
    component.published = True
    component.save(update_fields=["published"])
    audit_record(actor=actor, action="component.published", target=component,
                 organisation=component.space.organisation)
    return component


@transaction.atomic
def component_unpublish(*, actor, component: Component) -> Component:
    component.published = False
    component.save(update_fields=["published"])
    audit_record(actor=actor, action="component.unpublished", target=component,
                 organisation=component.space.organisation)
    return component
