from django.db import models


class OpenDataFile(models.Model):
    """One written file of a dataset, for an organisation (with the organisations below it) or for the whole
    Métropole when ORGANISATION is None: where it is, its size, its rows and its ETag."""

    dataset = models.CharField(max_length=50)
    organisation = models.ForeignKey("territory.Organisation", null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="+")
    format = models.CharField(max_length=8)  # csv, json, geojson
    path = models.CharField(max_length=300)
    size = models.PositiveBigIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0)
    etag = models.CharField(max_length=64)
    generated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dataset", "organisation", "format"], name="opendata_file_one_per_scope",
                                    condition=models.Q(organisation__isnull=False)),
            models.UniqueConstraint(fields=["dataset", "format"], name="opendata_file_one_for_metropole",
                                    condition=models.Q(organisation__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.dataset}.{self.format}"


class OpenDataRefresh(models.Model):
    """A dataset of a scope whose data changed: its files are written again by the worker once DUE_AT has come
    (refresh.py). At most one row per dataset and scope: the changes made before the worker takes it share one
    writing. ENQUEUED_AT: when the clock handed it to the worker."""

    dataset = models.CharField(max_length=50)
    organisation = models.ForeignKey("territory.Organisation", null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="+")
    due_at = models.DateTimeField(db_index=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dataset", "organisation"], name="opendata_refresh_one_per_scope",
                                    condition=models.Q(organisation__isnull=False)),
            models.UniqueConstraint(fields=["dataset"], name="opendata_refresh_one_for_metropole",
                                    condition=models.Q(organisation__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.dataset} ({self.organisation_id or 'metropole'})"
