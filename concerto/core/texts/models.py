"""Themes of a space's free texts (core/texts/themes.py) and the agents' edits that recomputations replay."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SpaceThemes(models.Model):
    """Where a space's themes stand: computed when, on how many texts, or why there are none."""

    space = models.OneToOneField("spaces.Space", on_delete=models.CASCADE, related_name="themes_state")
    computed_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)  # a recomputation is queued for then
    texts = models.PositiveIntegerField(default=0)
    reason = models.CharField(max_length=200, blank=True, default="")  # no themes: why (English, translated)
    next_number = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"themes of space {self.space_id}"


class Theme(models.Model):
    """A theme, numbered once and for all in its space: a recomputation gives the number to the new theme that
    shares the most texts with it (clustering.match), so that edits naming it still apply."""

    space = models.ForeignKey("spaces.Space", on_delete=models.CASCADE, related_name="themes")
    number = models.PositiveIntegerField()
    name = models.CharField(_("name"), max_length=150, blank=True, default="")  # given by an agent
    label = models.CharField(max_length=200)  # its first words
    words = models.JSONField(default=list)
    size = models.PositiveIntegerField(default=0)
    # [{"kind", "id", "text", "url"}], the most central text first.
    examples = models.JSONField(default=list)

    class Meta:
        ordering = ["-size", "number"]
        constraints = [models.UniqueConstraint(fields=["space", "number"], name="theme_number_once")]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self.name or self.label

    @property
    def central(self) -> dict | None:
        return self.examples[0] if self.examples else None


class ThemeText(models.Model):
    """A text in a theme: RAW_NUMBER the theme the clustering gave it (before the agents' edits), NUMBER the one
    it is in."""

    space = models.ForeignKey("spaces.Space", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=50)
    item_id = models.PositiveBigIntegerField()
    raw_number = models.PositiveIntegerField()
    number = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["space", "kind", "item_id"], name="theme_text_once")]
        indexes = [models.Index(fields=["space", "number"])]

    def __str__(self) -> str:
        return f"{self.key} in theme {self.number}"

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.item_id}"


class ThemeEdit(models.Model):
    """An agent's edit of the themes, replayed in order after each recomputation."""

    class Kind(models.TextChoices):
        RENAME = "rename", _("Renamed")
        MERGE = "merge", _("Merged")
        SPLIT = "split", _("Split")
        MOVE = "move", _("Text moved")

    space = models.ForeignKey("spaces.Space", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    number = models.PositiveIntegerField()  # the theme renamed, merged into, split, or moved to
    other = models.PositiveIntegerField(null=True, blank=True)  # merge: the theme merged; split: the new one
    name = models.CharField(max_length=150, blank=True, default="")  # rename
    text = models.CharField(max_length=80, blank=True, default="")  # move: "<kind>:<id>"
    keys = models.JSONField(default=list, blank=True)  # split: the texts that went to the new theme then
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.number}"
