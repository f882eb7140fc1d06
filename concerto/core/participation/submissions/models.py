"""The abstract model of a resident's submission (a proposal, a budget project...)."""

from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from concerto.core.participation.models import Moderated, ModeratedQuerySet
from concerto.core.richtext import plain_text
from concerto.core.spaces.items import ComponentItem


class SubmissionQuerySet(ModeratedQuerySet):
    def public(self):
        """What anyone may see: not hidden, in a published component of a published space (and not withdrawn
        when the model says withdrawn submissions leave the public lists)."""
        public = self.visible().filter(component__published=True, component__space__status="published")
        if not self.model.withdrawn_stays_public:
            public = public.filter(withdrawn_at__isnull=True)
        return public

    def communes(self):
        """The communes where these submissions are, by name: one indexed look-up per commune (the filters
        of a list), not a scan of the submissions."""
        from concerto.core.territory.models import Organisation

        return Organisation.objects.communes().filter(
            models.Exists(self.filter(commune=models.OuterRef("pk")))).order_by("name")


class Submission(ComponentItem, Moderated):
    """What a resident submits in a component: a title, a rich text, an optional point and image.

    A concrete subclass declares:
    - `component`, `author` and `category`: its foreign keys (to spaces.Component, the user model and its own
      ComponentCategory subclass), each with its own related_name;
    - `image`: an ImageField with its own `upload_to` folder;
    - `withdrawn_stays_public`: whether a withdrawn submission stays on public pages, marked withdrawn (True,
      proposals) or leaves them (False, budget projects);
    - `get_absolute_url()`;
    - a Meta subclassing Submission.Meta, with `point_complete_constraint("<its name>")` among its constraints.
    """

    withdrawn_stays_public = True
    # The shared comment include lets commenters say whether they are for or against.
    comment_stances = True

    title = models.CharField(_("title"), max_length=150)
    # Rich text, sanitised by the services when saved (concerto.core.richtext) and again when shown.
    text = models.TextField(_("text"))
    image_alt = models.CharField(_("image description"), max_length=200, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    # The address of the point: chosen or typed by the author, else found at the point (core/geocoding.py).
    address = models.CharField(_("address"), max_length=250, blank=True, default="")
    # The commune at the point, found when the location is saved.
    commune = models.ForeignKey("territory.Organisation", verbose_name=_("commune"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("submitted on"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    withdrawn_at = models.DateTimeField(_("withdrawn on"), null=True, blank=True)
    # Kept equal to the number of visible comments by the kernel (see signals.py), so that lists sort on it.
    comment_count = models.PositiveIntegerField(_("comments"), default=0)

    comments = GenericRelation("participation.Comment", content_type_field="target_type",
                               object_id_field="target_id")

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        """Anyone may read it (and comment, follow, report): not hidden, in a published component of a
        published space, and not withdrawn unless withdrawn submissions stay public."""
        component = self.component
        if self.is_withdrawn and not self.withdrawn_stays_public:
            return False
        return not self.is_hidden and component.published and component.space.is_published

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def point(self) -> tuple[float, float] | None:
        """(latitude, longitude), or None without a location."""
        return (self.latitude, self.longitude) if self.has_location else None

    @property
    def body(self) -> str:
        """The text without markup: what moderators, report forms and open data show."""
        return plain_text(self.text)

    @property
    def excerpt(self) -> str:
        return Truncator(self.body).words(30)


def point_complete_constraint(name: str) -> models.CheckConstraint:
    """A point has both coordinates or none (a constraint's name is unique in the whole database)."""
    return models.CheckConstraint(
        condition=(Q(latitude__isnull=True) & Q(longitude__isnull=True))
        | (Q(latitude__isnull=False) & Q(longitude__isnull=False)),
        name=name,
    )
