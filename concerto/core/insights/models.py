"""The population of a commune by INSEE age band (and by sex when the source gives it), one table per commune,
replaced whole by each import (population.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from concerto.core.territory.census import BAND_KEYS, BAND_LABELS, BANDS  # noqa: F401 (read from here too)


class PopulationTable(models.Model):
    organisation = models.OneToOneField("territory.Organisation", on_delete=models.CASCADE,
                                        related_name="population_table")
    year = models.PositiveSmallIntegerField(_("census year"))
    source = models.CharField(_("source"), max_length=300)
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("population table")
        verbose_name_plural = _("population tables")

    def __str__(self) -> str:
        return f"{self.organisation} ({self.year})"


class PopulationCount(models.Model):
    """How many people of one age band (and one sex, or both when `sex` is empty) live in the commune. INSEE's
    figures are weighted estimates: fractional."""

    class Sex(models.TextChoices):
        ALL = "", _("both sexes")
        FEMALE = "f", _("women")
        MALE = "m", _("men")

    table = models.ForeignKey(PopulationTable, on_delete=models.CASCADE, related_name="counts")
    band = models.CharField(max_length=8, choices=[(key, BAND_LABELS[key]) for key in BAND_KEYS])
    sex = models.CharField(max_length=1, choices=Sex.choices, blank=True, default="")
    count = models.FloatField()

    class Meta:
        verbose_name = _("population count")
        verbose_name_plural = _("population counts")
        constraints = [models.UniqueConstraint(fields=["table", "band", "sex"], name="population_count_once")]

    def __str__(self) -> str:
        return f"{self.band} {self.sex}: {self.count}"
