"""The datasets of the portal: the kernel's own (spaces, the participation ledger's aggregate) and those the
component manifests declare, for a scope: an organisation with the organisations below it, or the whole
Métropole (None)."""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from concerto.core import registry
from concerto.core.accountability import open_datasets as accountability_datasets
from concerto.core.participation.models import Contribution
from concerto.core.registry import DatasetField, OpenDataset, dataset_fields
from concerto.core.spaces.models import Component, Space
from concerto.core.territory.models import Organisation

# Counts of fewer people than this are left out where a cell crosses a commune, a channel and a month: below 5
# people, someone who knows a neighbour took part (the only person who answered on paper in a small commune in
# March) could recognise them. The one rule lives in the registry, where the components' datasets read it too.
SMALL_COUNT = registry.SMALL_COUNT

METROPOLE_SLUG = "metropole"


@dataclass(frozen=True)
class Published:
    """A dataset as published for a scope: the DATASET, the component KIND it comes from ("" for the kernel's)."""

    dataset: OpenDataset
    kind: str = ""


def scope_organisation_ids(organisation: Organisation | None) -> set[int] | None:
    """The organisations a scope covers: ORGANISATION and those below it; None for the whole Métropole."""
    return None if organisation is None else organisation.descendant_ids()


def scope_components(organisation: Organisation | None, kind: str = ""):
    """The published components (of KIND, when given) of the published spaces of the scope."""
    components = Component.objects.filter(published=True, space__status=Space.Status.PUBLISHED)
    if kind:
        components = components.filter(kind=kind)
    ids = scope_organisation_ids(organisation)
    if ids is not None:
        components = components.filter(space__organisation_id__in=ids)
    return components.select_related("space__organisation")


def scope_get(slug: str) -> Organisation | None:
    """The scope named by SLUG in an address: the organisation, or None for "metropole" when the Métropole has
    no organisation of its own (an empty database); raises Organisation.DoesNotExist otherwise."""
    try:
        return Organisation.objects.get(slug=slug)
    except Organisation.DoesNotExist:
        if slug == METROPOLE_SLUG:
            return None
        raise


def scope_slug(organisation: Organisation | None) -> str:
    return organisation.slug if organisation is not None else METROPOLE_SLUG


def all_datasets() -> list[Published]:
    """Every dataset of the site, the kernel's first, then the components' by component name."""
    found = [Published(dataset) for dataset in KERNEL_DATASETS]
    for manifest in registry.components():
        found += [Published(dataset, manifest.name) for dataset in manifest.open_datasets]
    return found


def dataset_get(name: str) -> Published | None:
    return next((published for published in all_datasets() if published.dataset.name == name), None)


def scope_datasets(organisation: Organisation | None) -> list[Published]:
    """The datasets with something published in the scope: those of a component kind with a published component
    in a published space there (an unpublished space's datasets are never listed)."""
    kinds = set(scope_components(organisation).values_list("kind", flat=True).distinct())
    return [published for published in all_datasets()
            if (published.kind in kinds if published.kind else bool(kinds))]


def rows(published: Published, organisation: Organisation | None):
    """The rows of PUBLISHED for the scope, read in chunks."""
    components = scope_components(organisation, published.kind)
    return published.dataset.rows(components=components, organisation=organisation)


# --- The kernel's datasets ---

def spaces_rows(*, components, organisation):
    spaces = Space.objects.published().select_related("organisation").order_by("pk")
    ids = scope_organisation_ids(organisation)
    if ids is not None:
        spaces = spaces.filter(organisation_id__in=ids)
    spaces = spaces.annotate(
        published_components=Count("components", filter=Q(components__published=True), distinct=True),
        contributions=Count("components__contributions", distinct=True))
    for space in spaces.iterator(chunk_size=500):
        yield {
            "id": space.pk, "title": space.title, "summary": space.summary,
            "organisation": space.organisation.name, "organisation_insee": space.organisation.insee_code,
            "start_date": space.start_date.isoformat() if space.start_date else "",
            "end_date": space.end_date.isoformat() if space.end_date else "",
            "published_at": space.published_at.isoformat() if space.published_at else "",
            "components": space.published_components, "contributions": space.contributions,
            "url": space.get_absolute_url(),
        }


def ledger_rows(*, components, organisation):
    """The participation ledger by commune × channel × component × month: how many contributions and how many
    distinct accounts. A cell with fewer than SMALL_COUNT contributions or accounts has its counts left out (and
    says so in `suppressed`)."""
    cells = (Contribution.objects.filter(component__in=components)
             .annotate(month=TruncMonth("created_at"))
             .values("organisation__name", "organisation__insee_code", "channel", "component_id",
                     "component__kind", "component__title", "component__space__title", "month")
             .annotate(contributions=Count("pk"), participants=Count("author", distinct=True))
             .order_by("organisation__name", "month", "component_id", "channel"))
    for cell in cells.iterator(chunk_size=2000):
        small = cell["contributions"] < SMALL_COUNT or 0 < cell["participants"] < SMALL_COUNT
        yield {
            "commune": cell["organisation__name"], "commune_insee": cell["organisation__insee_code"],
            "channel": cell["channel"], "component_id": cell["component_id"], "component_kind": cell["component__kind"],
            "component": cell["component__title"], "space": cell["component__space__title"],
            "month": cell["month"].strftime("%Y-%m") if cell["month"] else "",
            "contributions": None if small else cell["contributions"],
            "participants": None if small else cell["participants"], "suppressed": small,
        }


KERNEL_DATASETS = (
    OpenDataset(
        name="espaces", title=_("Participation spaces"),
        description=_("The published participation spaces: their organisation, dates, how many components and "
                      "contributions."),
        fields=dataset_fields(
            ("id", "title", "summary", "organisation", "organisation_insee", "start_date", "end_date", "published_at",
             "components", "contributions", "url"),
            DatasetField("summary", "string", _("Summary")),
            DatasetField("organisation", "string", _("Organisation")),
            DatasetField("organisation_insee", "string", _("INSEE code of the organisation")),
            DatasetField("start_date", "date", _("Start date")), DatasetField("end_date", "date", _("End date")),
            DatasetField("published_at", "datetime", _("Published on")),
            DatasetField("components", "integer", _("Published components")),
            DatasetField("contributions", "integer", _("Contributions"))),
        rows=spaces_rows, theme="GOVE", sources=("spaces.Space", "spaces.Component")),
    OpenDataset(
        name="participation", title=_("Participation by commune, channel and month"),
        description=_("How many contributions and how many people took part, by commune, channel (website, "
                      "chat, paper, meeting, API), component and month. Counts under 5 are left out so that no "
                      "one can be recognised."),
        fields=dataset_fields(
            ("commune", "commune_insee", "channel", "component_id", "component_kind", "component", "space", "month",
             "contributions", "participants", "suppressed"),
            DatasetField("channel", "string", _("Channel")),
            DatasetField("component_id", "integer", _("Component identifier")),
            DatasetField("component_kind", "string", _("Kind of component")),
            DatasetField("component", "string", _("Component")), DatasetField("space", "string", _("Space")),
            DatasetField("month", "string", _("Month (YYYY-MM)")),
            DatasetField("contributions", "integer", _("Contributions")),
            DatasetField("participants", "integer", _("Number of people with an account")),
            DatasetField("suppressed", "boolean", _("Counts left out (fewer than 5)"))),
        rows=ledger_rows, frequency="MONTHLY", theme="SOCI"),
    *accountability_datasets.DATASETS,
)
