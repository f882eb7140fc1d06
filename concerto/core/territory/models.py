"""The organisations tree: the Métropole, its 12 territories and its 130 communes."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class OrganisationQuerySet(models.QuerySet):
    def communes(self):
        return self.filter(kind=Organisation.Kind.COMMUNE)

    def territories(self):
        return self.filter(kind=Organisation.Kind.TERRITORY)

    def search(self, query: str):
        """Communes and territories whose name, postcode or INSEE code matches QUERY."""
        from concerto.core.territory.search import organisations_search

        return organisations_search(self, query)


class Organisation(models.Model):
    class Kind(models.TextChoices):
        METROPOLE = "metropole", _("Métropole")
        TERRITORY = "territory", _("Territory")
        COMMUNE = "commune", _("Commune")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    # "T1".."T12" for territories, empty otherwise.
    code = models.CharField(_("code"), max_length=8, blank=True)
    insee_code = models.CharField(_("INSEE code"), max_length=5, blank=True, db_index=True)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True)
    departement = models.CharField(_("département"), max_length=3, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    postcodes = models.JSONField(_("postcodes"), default=list, blank=True)
    # Text folded for search (lowercase, no accents, no hyphens), kept in step by save().
    search_name = models.CharField(max_length=200, editable=False, default="", db_index=True)
    # GeoJSON geometry (Polygon or MultiPolygon, WGS84) of the commune, when imported.
    boundary = models.JSONField(_("boundary"), null=True, blank=True, editable=False)
    description = models.TextField(_("description"), blank=True)
    accent_color = models.CharField(
        _("accent colour"), max_length=7, blank=True,
        help_text=_("A colour such as #1d4ed8; it must contrast with white text."),
    )
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    website = models.URLField(_("website"), blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    open_data_licence = models.CharField(
        _("open data licence"), max_length=16, default="etalab-2.0",
        choices=[("etalab-2.0", "Licence Ouverte 2.0"), ("odbl-1.0", "ODbL 1.0")],
        help_text=_("The licence of the organisation's open datasets (/donnees/)."))
    # Elected officials read the back-office; whether they also see residents' personal data (registrants'
    # names and emails...) and the audit log is the organisation's choice (accounts.permissions).
    elected_personal_data = models.BooleanField(
        _("elected officials see personal data and the audit log"), default=False)
    # The comparison across communes (core/comparison): named to everyone, or « Commune anonyme (rang n) » to
    # those outside it. Off by default: a commune chooses to be named.
    comparison_named = models.BooleanField(_("named in the comparison across communes"), default=False)
    # Whether the profile asks the residents of this commune their activity (INSEE's categories): optional for them.
    asks_activity = models.BooleanField(_("asks residents their activity"), default=False)
    # Part of the cheap version that tells the point lookup (lookup.py) to rebuild its index.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        from concerto.core.territory.search import fold

        self.search_name = fold(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields:
            # Partial saves still refresh the folded name and the point lookup's version stamp.
            extra = {"updated_at", "search_name"} if "name" in update_fields else {"updated_at"}
            kwargs["update_fields"] = {*update_fields, *extra}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("organisation_detail", kwargs={"org_slug": self.slug})

    @property
    def is_commune(self) -> bool:
        return self.kind == self.Kind.COMMUNE

    def ancestors(self) -> list["Organisation"]:
        """From the parent up to the root."""
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain

    def descendant_ids(self) -> set[int]:
        """Ids of this organisation and every organisation below it (the tree is 3 levels deep)."""
        ids = {self.pk}
        frontier = [self.pk]
        while frontier:
            frontier = list(Organisation.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            ids.update(frontier)
        return ids


class QuartierQuerySet(models.QuerySet):
    def of(self, commune: Organisation):
        return self.filter(organisation=commune)


class Quartier(models.Model):
    """A quartier of a commune, as its agents describe it: a name, optionally an outline (GeoJSON Polygon or
    MultiPolygon, WGS84), whether it is a priority area of the city policy (QPV), and the population they know,
    with its source and year. Nothing is downloaded: the agents enter what they know."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="quartiers",
                                     limit_choices_to={"kind": "commune"})
    name = models.CharField(_("name"), max_length=100)
    polygon = models.JSONField(_("outline"), null=True, blank=True)
    priority_area = models.BooleanField(_("priority area of the city policy (QPV)"), default=False)
    population = models.PositiveIntegerField(_("inhabitants"), null=True, blank=True)
    # INSEE's six bands (census.BAND_KEYS) -> inhabitants, when the agents know them; {} otherwise.
    population_by_band = models.JSONField(_("inhabitants by age band"), default=dict, blank=True)
    population_source = models.CharField(_("source of the population"), max_length=200, blank=True)
    population_year = models.PositiveSmallIntegerField(_("year of the population"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = QuartierQuerySet.as_manager()

    class Meta:
        verbose_name = _("quartier")
        verbose_name_plural = _("quartiers")
        ordering = ["organisation", "position", "name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="one_quartier_name_per_commune")]

    def __str__(self) -> str:
        return self.name
