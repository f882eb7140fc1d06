"""Spaces (démarches de participation), their steps, and the components plugged into them."""

from dataclasses import dataclass
from datetime import date

from django.db import models
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _


class TopicQuerySet(models.QuerySet):
    def of_item(self, item):
        """The topics of ITEM (any component's row, or a space): see `topics_of`."""
        own = getattr(item, "topics", None)
        if own is not None and hasattr(own, "all") and own.exists():
            return own.all()
        space = item if isinstance(item, Space) else getattr(item, "space", None)
        return space.topics.all() if space is not None else self.none()


class Topic(models.Model):
    """One of the Métropole's topics (mobility, housing, culture...), which spaces and items are tagged with
    and people follow or subscribe to. The list is the Métropole's: its administrators edit it in the Django
    admin (one list for every commune, so that a person's choice means the same thing everywhere)."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name (French)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        return reverse("topic_detail", args=[self.slug])

    @property
    def label(self) -> str:
        """The name in the language of the page (French when no English name was given)."""
        if self.name_en and (translation.get_language() or "fr").startswith("en"):
            return self.name_en
        return self.name


class SpaceQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Space.Status.PUBLISHED)

    def visible_to(self, user):
        """Published spaces, plus the unpublished ones of organisations where USER has a role."""
        from concerto.core.accounts.permissions import organisation_ids_managed_by

        if user is None or not user.is_authenticated:
            return self.published()
        managed = organisation_ids_managed_by(user)
        return self.filter(models.Q(status=Space.Status.PUBLISHED) | models.Q(organisation_id__in=managed))


class Space(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    organisation = models.ForeignKey(
        "territory.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT,
        related_name="spaces",
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100)
    summary = models.CharField(_("summary"), max_length=300, blank=True,
                               help_text=_("One or two sentences shown on the cards."))
    description = models.TextField(_("description"), blank=True)
    image = models.ImageField(_("image"), upload_to="spaces/", blank=True)
    image_alt = models.CharField(_("image description"), max_length=200, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    # Which communes the space concerns; empty means the whole organisation.
    scope = models.ManyToManyField(
        "territory.Organisation", verbose_name=_("communes concerned"), blank=True,
        related_name="scoped_spaces",
    )
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), blank=True, related_name="spaces")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("published on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SpaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("space")
        verbose_name_plural = _("spaces")
        ordering = ["-start_date", "title"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "slug"],
                                    name="unique_space_slug_per_organisation")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("space_detail", kwargs={"org_slug": self.organisation.slug, "space_slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def allowed_scope(self):
        """The organisations this space may concern: its own, and the communes below it."""
        from concerto.core.territory.models import Organisation

        organisation = self.organisation
        if organisation.is_commune:
            return Organisation.objects.filter(pk=organisation.pk)
        return Organisation.objects.filter(
            models.Q(pk=organisation.pk)
            | models.Q(pk__in=organisation.descendant_ids(), kind=Organisation.Kind.COMMUNE)
        ).order_by("kind", "name")

    def publish_problems(self) -> list[str]:
        """What is missing before residents can see this space (empty when it can be published)."""
        problems = []
        if not self.title.strip():
            problems.append(_("Give the space a title."))
        if not self.description.strip():
            problems.append(
                _("Write a description: residents need to know what is decided, by whom and when."))
        return problems

    def current_step(self, today=None):
        today = today or timezone.localdate()
        for step in self.steps.all():
            if step.start_date <= today <= step.end_date:
                return step
        return None


class Step(models.Model):
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="steps")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        ordering = ["position", "start_date"]

    def __str__(self) -> str:
        return self.title

    def state(self, today=None) -> str:
        today = today or timezone.localdate()
        if today < self.start_date:
            return "upcoming"
        if today > self.end_date:
            return "past"
        return "current"


@dataclass(frozen=True)
class Window:
    """Whether an action a step setting governs is open today, and when it opened, closes or closed."""

    open: bool
    step: "Step | None" = None  # the current step when open
    closes_on: date | None = None  # last day it is open, when open
    opens_on: date | None = None  # first day of the next step that opens it, when closed
    closed_on: date | None = None  # last day of the latest step that opened it, when closed

    @property
    def message(self) -> str:
        """Why it is closed, in the user's language (empty when open)."""
        from django.utils.formats import date_format

        if self.open:
            return ""
        if self.opens_on:
            return _("Opens on %(date)s.") % {"date": date_format(self.opens_on, "j F Y")}
        if self.closed_on:
            return _("Ended on %(date)s.") % {"date": date_format(self.closed_on, "j F Y")}
        return _("Not open during the current step.")


class ComponentQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)

    def of_kind(self, kind: str):
        return self.filter(kind=kind)


class Component(models.Model):
    """One component (news, consultation, budget...) plugged into a space.

    `kind` names a manifest of the registry. `settings` holds the typed global settings, and
    `step_settings` maps a step id (as a string) to that step's settings; both are validated against
    the manifest's schemas by concerto.core.registry.
    """

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="components")
    kind = models.CharField(_("type"), max_length=50)
    title = models.CharField(_("title"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    published = models.BooleanField(_("published"), default=False)
    settings = models.JSONField(default=dict, blank=True)
    step_settings = models.JSONField(default=dict, blank=True)
    # Names of the manifest's actions that only verified residents of the space's organisation may do.
    verified_actions = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ComponentQuerySet.as_manager()

    class Meta:
        verbose_name = _("component")
        verbose_name_plural = _("components")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            f"{self.kind}:index",
            kwargs={"org_slug": self.space.organisation.slug, "space_slug": self.space.slug,
                    "component_id": self.pk},
        )

    @property
    def manifest(self):
        from concerto.core import registry

        return registry.get(self.kind)

    @property
    def organisation(self):
        return self.space.organisation

    def get_backoffice_url(self) -> str:
        return reverse(
            f"{self.kind}_backoffice:index",
            kwargs={"org_slug": self.space.organisation.slug, "space_slug": self.space.slug,
                    "component_id": self.pk},
        )

    def requires_verification(self, action: str) -> bool:
        """Whether only verified residents may do ACTION (a name of the manifest's actions) here."""
        return action in (self.verified_actions or [])

    def setting(self, name: str):
        """The global setting NAME, falling back to the manifest's default."""
        return self.manifest.settings_for(self).get(name)

    def window(self, step_setting: str, today=None) -> Window:
        """Whether the boolean step setting STEP_SETTING (e.g. "submissions_open") is on today.

        When it is off, say when it next opens or when it last closed, from the space's steps."""
        today = today or timezone.localdate()
        manifest = self.manifest
        steps = list(self.space.steps.all())
        if not steps:
            # A space without steps: the setting's default decides, with no dates to give.
            return Window(open=bool(manifest.step_settings_for(self, None).get(step_setting)))
        current = next((s for s in steps if s.start_date <= today <= s.end_date), None)
        if current is not None and manifest.step_settings_for(self, current).get(step_setting):
            return Window(open=True, step=current, closes_on=current.end_date)
        opening = [s for s in steps if manifest.step_settings_for(self, s).get(step_setting)]
        upcoming = [s.start_date for s in opening if s.start_date > today]
        past = [s.end_date for s in opening if s.end_date < today]
        return Window(open=False, opens_on=min(upcoming) if upcoming else None,
                      closed_on=max(past) if past else None)

    def step_setting(self, name: str, step=None):
        """The setting NAME for STEP (the current step by default), falling back to the default."""
        step = step if step is not None else self.space.current_step()
        return self.manifest.step_settings_for(self, step).get(name)
