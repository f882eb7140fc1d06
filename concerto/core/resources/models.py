"""The Métropole's resource centre (issue 18): process templates that organisations publish from one of their
spaces, and guides (method sheets) that the Métropole's administrators write.

A template keeps the shape of a space, never what people put in it: steps as relative days (an offset from the
first day and a length), the components with their settings and what their manifest's `template_export` keeps
(a consultation's questions, a component's categories), and guidance texts per step for the agent who uses it.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from concerto.core.participation.models import Moderated


class Guide(models.Model):
    """A method sheet in plain French, written by the Métropole's administrators for every organisation."""

    class Topic(models.TextChoices):
        METHOD = "method", _("Method")
        LAW = "law", _("Legal obligations")
        INCLUSION = "inclusion", _("Reaching every public")

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = models.TextField(_("text"), max_length=40000)  # sanitised rich text
    topic = models.CharField(_("topic"), max_length=16, choices=Topic.choices, default=Topic.METHOD)
    published = models.BooleanField(_("published"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "title"]
        verbose_name = _("guide")
        verbose_name_plural = _("guides")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("resources:guide", args=[self.slug])


class ProcessTemplateQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)


class ProcessTemplate(models.Model):
    # Agents comment on templates in the back-office (the network of practice): staff only, so the kernel keeps
    # these comments out of the contributions ledger, and the public comment pages refuse them (no `is_public`).
    comments_staff_only = True

    class Kind(models.TextChoices):
        BUDGET = "budget", _("Participatory budget")
        PLANNING = "planning", _("Urban planning consultation")
        REPORTS = "reports", _("Citizen reports service")
        DEBATE = "debate", _("Consultation and debate")
        WALK = "walk", _("Neighbourhood walk")
        OTHER = "other", _("Other process")

    class Audience(models.TextChoices):
        EVERYONE = "everyone", _("Every resident")
        YOUTH = "youth", _("Young people")
        NEIGHBOURHOOD = "neighbourhood", _("Residents of a neighbourhood")
        STAKEHOLDERS = "stakeholders", _("Associations and stakeholders")

    organisation = models.ForeignKey("territory.Organisation", verbose_name=_("organisation"),
                                     on_delete=models.CASCADE, related_name="process_templates")
    # The space it was made from (kept for the record; the template does not change when the space does).
    source_space = models.ForeignKey("spaces.Space", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300)
    description = models.TextField(_("description of the new space"), blank=True, max_length=20000)
    kind = models.CharField(_("kind of process"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    audience = models.CharField(_("audience"), max_length=16, choices=Audience.choices, default=Audience.EVERYONE)
    duration_days = models.PositiveIntegerField(_("suggested duration (days)"), default=0)
    # [{"title", "description", "guidance", "offset_days", "duration_days"}], in order.
    steps = models.JSONField(default=list, blank=True)
    # [{"kind", "title", "settings", "step_settings" (step index -> values), "verified_actions", "content"}].
    components = models.JSONField(default=list, blank=True)
    # The source space's concertation plan and print kits as a template keeps them (mobilisation.skeleton):
    # {"fields", "dates", "milestones", "kits"}, or {} when it had neither.
    plan = models.JSONField(default=dict, blank=True)
    guides = models.ManyToManyField(Guide, verbose_name=_("guides"), blank=True, related_name="templates")
    published = models.BooleanField(_("published"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProcessTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("process template")
        verbose_name_plural = _("process templates")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("resources:template", args=[self.slug])

    def get_comments_url(self) -> str:
        return reverse("network_go", args=["modeles", self.pk])

    def questions(self) -> list[dict]:
        """Every question the template's components keep (consultations), for the template's page."""
        found = []
        for component in self.components:
            for section in (component.get("content") or {}).get("sections", []):
                found += [question for question in section.get("questions", []) if question.get("label")]
        return found


# The network of practice (issue 18): what agents of the Métropole's organisations share with each other. Comments
# on these and on the templates are the kernel's `Comment`, for staff only (`comments_staff_only`, see ProcessTemplate).


class SharedExampleQuerySet(models.QuerySet):
    def shared(self):
        """Examples still shared, whose space is still public."""
        return self.filter(withdrawn_at__isnull=True, space__status="published")


class SharedExample(models.Model):
    """A published space that an agent of its organisation offers the other communes as an example of practice:
    what worked, what to avoid, figures. One per space; sharing again rewrites it."""

    comments_staff_only = True

    organisation = models.ForeignKey("territory.Organisation", verbose_name=_("organisation"),
                                     on_delete=models.CASCADE, related_name="+")
    space = models.OneToOneField("spaces.Space", on_delete=models.CASCADE, related_name="shared_example")
    text = models.TextField(_("what worked, what to avoid, figures"), max_length=3000)
    kind = models.CharField(_("kind of process"), max_length=16, choices=ProcessTemplate.Kind.choices,
                            default=ProcessTemplate.Kind.OTHER)
    topics = models.ManyToManyField("spaces.Topic", verbose_name=_("topics"), blank=True, related_name="+")
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    shared_at = models.DateTimeField(_("shared on"))
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = SharedExampleQuerySet.as_manager()

    class Meta:
        ordering = ["-shared_at", "-pk"]
        verbose_name = _("shared example")
        verbose_name_plural = _("shared examples")

    def __str__(self) -> str:
        return self.space.title

    def get_comments_url(self) -> str:
        return reverse("network_go", args=["exemples", self.pk])


class NetworkQuestion(Moderated):
    """A question an agent asks the agents of every organisation of the Métropole; the answers are comments."""

    comments_staff_only = True

    organisation = models.ForeignKey("territory.Organisation", verbose_name=_("organisation"),
                                     on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    title = models.CharField(_("question"), max_length=200)
    body = models.TextField(_("details"), max_length=5000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("question to the network")
        verbose_name_plural = _("questions to the network")

    def __str__(self) -> str:
        return self.title

    def get_comments_url(self) -> str:
        return reverse("network_go", args=["questions", self.pk])
