"""Write actions of the resource centre: publish a template from a space, make a space from a template, write
the guides, share a space as an example and ask the network a question (their answers and the comments on templates
and examples are the kernel's comments: `participation.services.comment_create`). Each one writes an audit entry;
a refusal is a ValidationError keyed by the form's field names."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from concerto.core.audit.services import audit_record
from concerto.core.mobilisation.skeleton import plan_from_skeleton, plan_skeleton
from concerto.core.resources.content import content_export, content_import
from concerto.core.resources.models import Guide, NetworkQuestion, ProcessTemplate, SharedExample
from concerto.core.richtext import sanitize_html
from concerto.core.spaces import services as spaces_services
from concerto.core.spaces.models import Space


def _free_slug(model, text: str, exclude_pk=None) -> str:
    base = slugify(text)[:90].strip("-") or "modele"
    taken = set(model.objects.filter(slug__startswith=base).exclude(pk=exclude_pk).values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def space_may_be_template_of(space: Space, organisation) -> bool:
    """Whether ORGANISATION may publish a template from SPACE: its own spaces and those of the organisations below
    it, whatever their state; another organisation's space only once it is public."""
    return (space.organisation_id == organisation.pk or space.organisation_id in organisation.descendant_ids()
            or space.is_published)


def _first_day(space: Space):
    """The day a template's relative days count from: SPACE's first step's start, else its own start."""
    return min((step.start_date for step in space.steps.all()), default=space.start_date)


def space_shape(space: Space) -> tuple[list[dict], list[dict]]:
    """The steps and components of SPACE as a template keeps them: relative days, settings, content."""
    steps = list(space.steps.order_by("position", "start_date", "pk"))
    first = _first_day(space)
    index = {str(step.pk): str(position) for position, step in enumerate(steps)}
    shape_steps = [{"title": step.title, "description": step.description, "guidance": "",
                    "offset_days": (step.start_date - first).days,
                    "duration_days": (step.end_date - step.start_date).days + 1} for step in steps]
    shape_components = []
    for component in space.components.order_by("position", "pk"):
        try:
            content = content_export(component)
        except LookupError:  # a kind no longer installed: nothing to keep
            continue
        shape_components.append({
            "kind": component.kind, "title": component.title, "settings": dict(component.settings or {}),
            "step_settings": {index[key]: values for key, values in (component.step_settings or {}).items()
                              if key in index},
            "verified_actions": list(component.verified_actions or []), "content": content,
        })
    return shape_steps, shape_components


def _check_template(template: ProcessTemplate, errors: dict) -> None:
    if not template.name.strip():
        errors["name"] = [_("Give the template a name.")]
    if not template.summary.strip():
        errors["summary"] = [_("Say in one or two sentences what the template is for.")]


def _duration(steps: list[dict]) -> int:
    return max((step["offset_days"] + step["duration_days"] for step in steps), default=0)


@transaction.atomic
def template_publish(*, actor, organisation, space: Space, name: str, summary: str, kind: str, audience: str,
                     guidance=(), guides=(), duration_days: int | None = None) -> ProcessTemplate:
    """Publish a template of ORGANISATION made from SPACE (GUIDANCE: a text per step, in order). People's
    contributions, and anything that names a person, stay in the space: only its shape is copied."""
    if not space_may_be_template_of(space, organisation):
        raise ValidationError({"space": [_("This space is private to another organisation: it cannot become "
                                           "one of your templates.")]})
    steps, components = space_shape(space)
    for step, text in zip(steps, guidance, strict=False):
        step["guidance"] = sanitize_html(text or "")
    template = ProcessTemplate(
        organisation=organisation, source_space=space, name=(name or "").strip(), summary=(summary or "").strip(),
        description=space.description, kind=kind, audience=audience, steps=steps, components=components,
        duration_days=duration_days or _duration(steps), created_by=actor,
        plan=plan_skeleton(space, _first_day(space), _duration(steps)))
    errors: dict = {}
    _check_template(template, errors)
    if kind not in ProcessTemplate.Kind.values:
        errors["kind"] = [_("Choose a kind of process.")]
    if audience not in ProcessTemplate.Audience.values:
        errors["audience"] = [_("Choose an audience.")]
    if errors:
        raise ValidationError(errors)
    template.slug = _free_slug(ProcessTemplate, template.name)
    template.save()
    template.guides.set(guides)
    audit_record(actor=actor, action="resources.template_published", target=template, organisation=organisation,
                 data={"space": space.pk, "slug": template.slug})
    return template


@transaction.atomic
def template_declare(*, actor, organisation, slug: str, name: str, summary: str, kind: str, audience: str,
                     steps: list[dict], components: list[dict], description: str = "", guides=()) -> ProcessTemplate:
    """A template written out rather than made from a space (the demo's, for processes it has no space of)."""
    template = ProcessTemplate.objects.create(
        organisation=organisation, slug=slug, name=name, summary=summary, description=description, kind=kind,
        audience=audience, steps=steps, components=components, duration_days=_duration(steps), created_by=actor)
    template.guides.set(guides)
    audit_record(actor=actor, action="resources.template_published", target=template, organisation=organisation,
                 data={"slug": slug})
    return template


@transaction.atomic
def template_unpublish(*, actor, template: ProcessTemplate) -> ProcessTemplate:
    template.published = False
    template.save(update_fields=["published", "updated_at"])
    audit_record(actor=actor, action="resources.template_unpublished", target=template,
                 organisation=template.organisation)
    return template


def _settings_kept(raw: dict, schema) -> dict:
    """RAW's values of the settings SCHEMA still names (a setting the component dropped since is left out)."""
    names = {setting.name for setting in schema}
    return {name: value for name, value in (raw or {}).items() if name in names}


@transaction.atomic
def space_from_template(*, actor, organisation, template: ProcessTemplate, title: str, slug: str = "",
                        start_date=None) -> Space:
    """Make a draft space of ORGANISATION from TEMPLATE in one go: its steps dated from START_DATE, its components
    with their settings and content. Nothing is created when anything is refused."""
    if not (template.published or template.organisation_id == organisation.pk):
        raise ValidationError({"template": [_("This template is not published.")]})
    errors: dict = {}
    if start_date is None:
        errors["start_date"] = [_("Give the date the process starts.")]
    if not (title or "").strip():
        errors["title"] = [_("Give the space a title.")]
    if errors:
        raise ValidationError(errors)
    end_date = start_date + timedelta(days=max(template.duration_days - 1, 0))
    space = spaces_services.space_create(actor=actor, organisation=organisation, title=title, slug=slug or None,
                                         summary=template.summary, description=template.description,
                                         start_date=start_date, end_date=end_date)
    new_steps = {}
    for position, step in enumerate(template.steps):
        starts = start_date + timedelta(days=step["offset_days"])
        new_steps[str(position)] = spaces_services.step_create(
            actor=actor, space=space, title=step["title"], description=step.get("description", ""),
            start_date=starts, end_date=starts + timedelta(days=max(step["duration_days"] - 1, 0)))
    for shape in template.components:
        component = spaces_services.component_add(actor=actor, space=space, kind=shape["kind"], title=shape["title"])
        manifest = component.manifest
        spaces_services.component_update_settings(
            actor=actor, component=component, settings=_settings_kept(shape.get("settings"), manifest.settings),
            step_settings={new_steps[index].pk: _settings_kept(values, manifest.step_settings)
                           for index, values in (shape.get("step_settings") or {}).items() if index in new_steps},
            verified_actions=[name for name in shape.get("verified_actions", [])
                              if name in {action.name for action in manifest.actions}])
        content_import(actor=actor, component=component, content=shape.get("content") or {})
    plan_from_skeleton(space=space, skeleton=template.plan, start=start_date)
    audit_record(actor=actor, action="resources.space_created_from_template", target=space, organisation=organisation,
                 data={"template": template.pk, "slug": template.slug})
    return space


@transaction.atomic
def guide_save(*, actor, organisation, guide: Guide | None = None, title: str, summary: str, body: str, topic: str,
               published: bool = True) -> Guide:
    """Write a new guide (GUIDE None) or change GUIDE; its text is kept in the safe rich-text subset."""
    creating = guide is None
    guide = guide or Guide()
    guide.title, guide.summary = (title or "").strip(), (summary or "").strip()
    guide.body, guide.topic, guide.published = sanitize_html(body or ""), topic, published
    errors: dict = {}
    if not guide.title:
        errors["title"] = [_("Give the guide a title.")]
    if not guide.body.strip():
        errors["body"] = [_("Write the guide's text.")]
    if topic not in Guide.Topic.values:
        errors["topic"] = [_("Choose a topic.")]
    if errors:
        raise ValidationError(errors)
    if creating:
        guide.slug = _free_slug(Guide, guide.title)
    guide.save()
    audit_record(actor=actor, action="resources.guide_created" if creating else "resources.guide_updated",
                 target=guide, organisation=organisation, data={"slug": guide.slug})
    return guide


def space_may_be_shared_by(space: Space, organisation) -> bool:
    """Whether ORGANISATION may share SPACE as an example: one of its own spaces or of the organisations below it."""
    return space.organisation_id == organisation.pk or space.organisation_id in organisation.descendant_ids()


@transaction.atomic
def example_share(*, actor, organisation, space: Space, text: str, kind: str, topics=()) -> SharedExample:
    """Share SPACE, a published space of ORGANISATION, with the other communes as an example of practice (TEXT: what
    worked, what to avoid, figures). Sharing it again rewrites the example and shares it anew."""
    errors: dict = {}
    if not space_may_be_shared_by(space, organisation):
        errors["space"] = [_("This space belongs to another organisation: only its own team can share it.")]
    elif not space.is_published:
        errors["space"] = [_("Only a published space can be shared as an example: publish it first.")]
    text = (text or "").strip()
    if not text:
        errors["text"] = [_("Say what worked, what to avoid, and a few figures.")]
    elif len(text) > SharedExample._meta.get_field("text").max_length:
        errors["text"] = [_("Keep the text under %(count)s characters.")
                          % {"count": SharedExample._meta.get_field("text").max_length}]
    if kind not in ProcessTemplate.Kind.values:
        errors["kind"] = [_("Choose a kind of process.")]
    if errors:
        raise ValidationError(errors)
    example, created = SharedExample.objects.update_or_create(space=space, defaults={
        "organisation": space.organisation, "text": text, "kind": kind, "shared_by": actor,
        "shared_at": timezone.now(), "withdrawn_at": None})
    example.topics.set(topics)
    audit_record(actor=actor, action="resources.example_shared", target=example, organisation=space.organisation,
                 data={"space": space.pk})
    return example


@transaction.atomic
def example_unshare(*, actor, example: SharedExample) -> SharedExample:
    """Stop sharing EXAMPLE (kept with its comments, should it be shared again)."""
    example.withdrawn_at = timezone.now()
    example.save(update_fields=["withdrawn_at"])
    audit_record(actor=actor, action="resources.example_withdrawn", target=example, organisation=example.organisation,
                 data={"space": example.space_id})
    return example


@transaction.atomic
def network_question_ask(*, actor, organisation, title: str, body: str = "") -> NetworkQuestion:
    """ACTOR, of ORGANISATION, asks the agents of every organisation of the Métropole a question."""
    title, body = (title or "").strip(), (body or "").strip()
    errors: dict = {}
    if not title:
        errors["title"] = [_("Write your question.")]
    elif len(title) > NetworkQuestion._meta.get_field("title").max_length:
        errors["title"] = [_("Keep the question under %(count)s characters: give the details below.")
                           % {"count": NetworkQuestion._meta.get_field("title").max_length}]
    if len(body) > NetworkQuestion._meta.get_field("body").max_length:
        errors["body"] = [_("Keep the details under %(count)s characters.")
                          % {"count": NetworkQuestion._meta.get_field("body").max_length}]
    if errors:
        raise ValidationError(errors)
    question = NetworkQuestion.objects.create(organisation=organisation, author=actor, title=title, body=body)
    audit_record(actor=actor, action="resources.network_question_asked", target=question, organisation=organisation)
    return question
