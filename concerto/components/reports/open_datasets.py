"""The reports' open dataset: every public report with its place, kind, category and status, never its author."""

from django.utils.translation import gettext_lazy as _

from concerto.core.registry import DatasetField, Deferred, OpenDataset, dataset_fields

FIELDS = ("id", "commune", "commune_insee", "kind", "category", "category_code", "status", "latitude", "longitude",
          "address", "description", "me_too", "public_answer", "reported_on", "resolved_on")


def rows(*, components, organisation):
    """The public reports of the organisations the components cover (each with those below it), read in chunks."""
    from concerto.components.reports.models import Report

    ids = set()
    for component in components:
        ids |= component.space.organisation.descendant_ids()
    reports = (Report.objects.public().filter(organisation_id__in=ids).order_by("pk")
               .values("pk", "organisation__name", "organisation__insee_code", "kind", "category__name",
                       "category__code", "status", "latitude", "longitude", "address", "description",
                       "support_count", "public_answer", "created_at", "resolved_at"))
    for report in reports.iterator(chunk_size=2000):  # plain values: a million model instances cost twice the time
        yield {
            "id": report["pk"], "commune": report["organisation__name"],
            "commune_insee": report["organisation__insee_code"], "kind": report["kind"],
            "category": report["category__name"], "category_code": report["category__code"],
            "status": report["status"], "latitude": round(report["latitude"], 5),
            "longitude": round(report["longitude"], 5), "address": report["address"],
            "description": report["description"], "me_too": report["support_count"],
            "public_answer": report["public_answer"], "reported_on": report["created_at"].date().isoformat(),
            "resolved_on": report["resolved_at"].date().isoformat() if report["resolved_at"] else "",
        }


DATASET = OpenDataset(
    name="signalements", title=_("Reports"),
    description=_("The public reports of residents (a malfunction, a congratulation, an idea) with their place, "
                  "category and status, and the commune's answer. Without their authors."),
    fields=dataset_fields(
        FIELDS,
        DatasetField("category_code", "string", _("Category code")),
        DatasetField("me_too", "integer", _("Residents who said “me too”")),
        DatasetField("reported_on", "date", _("Reported on")),
        DatasetField("resolved_on", "date", _("Resolved on"))),
    rows=Deferred("concerto.components.reports.open_datasets.rows"), located=True, frequency="DAILY", theme="REGI",
    sources=("reports.Report", "reports.ReportSupport"))
