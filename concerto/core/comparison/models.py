"""The comparison's precomputed figures: one row per organisation and period, written by the periodic job
(figures.comparison_refresh), read by the page. The page never counts anything itself."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ComparisonRow(models.Model):
    organisation = models.ForeignKey("territory.Organisation", on_delete=models.CASCADE, related_name="+")
    # "12m" (the last twelve months) or a calendar year ("2026"): see figures.periods().
    period = models.CharField(max_length=8)
    # Figure name (figures.FIGURES, and the counts behind them) -> number or None when it cannot be said.
    figures = models.JSONField(default=dict)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("comparison figures")
        verbose_name_plural = _("comparison figures")
        constraints = [models.UniqueConstraint(fields=["organisation", "period"], name="comparison_row_once")]
        indexes = [models.Index(fields=["period"], name="comparison_period_idx")]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.period}"
