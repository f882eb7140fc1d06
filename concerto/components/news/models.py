"""News posts published by a collectivité in a space's news component."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from concerto.core.spaces.items import ComponentItem


class PostQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Post.Status.PUBLISHED)

    def public(self):
        """Published posts of published components of published spaces."""
        return self.published().filter(
            component__published=True, component__space__status="published"
        )

    def of_organisations(self, organisation_ids):
        return self.filter(component__space__organisation_id__in=organisation_ids)


class Post(ComponentItem):
    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("news post status", "Draft")
        PUBLISHED = "published", pgettext_lazy("news post status", "Published")

    component = models.ForeignKey("spaces.Component", on_delete=models.CASCADE, related_name="news_posts")
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = models.TextField(_("text"))
    image = models.ImageField(_("image"), upload_to="news/", blank=True)
    image_alt = models.CharField(_("image description"), max_length=200, blank=True)
    # The Métropole's topics (kernel); a post without any has its space's (core.spaces.topics.topics_of).
    topics = models.ManyToManyField("spaces.Topic", verbose_name=_("topics"), blank=True, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("published on"), null=True, blank=True, db_index=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Deleting a post deletes the comments on it.
    comments = GenericRelation("participation.Comment", content_type_field="target_type",
                               object_id_field="target_id")

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("news post")
        verbose_name_plural = _("news posts")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        space = self.component.space
        return reverse("news:detail", kwargs={
            "org_slug": space.organisation.slug, "space_slug": space.slug,
            "component_id": self.component_id, "post_id": self.pk,
        })

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_public(self) -> bool:
        """Anyone may read it: published, in a published component of a published space."""
        component = self.component
        return self.is_published and component.published and component.space.is_published

    @property
    def excerpt(self) -> str:
        return self.summary or Truncator(self.body).words(40)
