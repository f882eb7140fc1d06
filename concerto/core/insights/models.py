"""The population of a commune by INSEE age band (and by sex when the source gives it), one table per commune,
replaced whole by each import (population.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# INSEE's age bands of the census files, in their order: (key, lowest age, highest age).
BANDS = (("0-14", 0, 14), ("15-29", 15, 29), ("30-44", 30, 44), ("45-59", 45, 59), ("60-74", 60, 74),
         ("75+", 75, 200))
BAND_KEYS = tuple(key for key, _low, _high in BANDS)
BAND_LABELS = {"0-14": _("0 to 14"), "15-29": _("15 to 29"), "30-44": _("30 to 44"), "45-59": _("45 to 59"),
               "60-74": _("60 to 74"), "75+": _("75 and over")}


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
