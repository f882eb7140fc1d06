"""The reports' open dataset: every public report with its place, kind, category and status, never its author."""

from django.utils.translation import gettext_lazy as _

from concerto.core.registry import DatasetField, Deferred, OpenDataset


def rows(*, components, organisation):
    """The public reports of the organisations the components cover (each with those below it), read in chunks."""
    from concerto.components.reports.models import Report

    ids = set()
    for component in components:
        ids |= component.space.organisation.descendant_ids()
    reports = (Report.objects.public().filter(organisation_id__in=ids)
               .select_related("category", "organisation").order_by("pk"))
    for report in reports.iterator(chunk_size=2000):
        yield {
            "id": report.pk, "commune": report.organisation.name, "commune_insee": report.organisation.insee_code,
            "kind": report.kind, "category": report.category.name, "category_code": report.category.code,
            "status": report.status, "latitude": round(report.latitude, 5), "longitude": round(report.longitude, 5),
            "address": report.address, "description": report.description, "me_too": report.support_count,
            "public_answer": report.public_answer, "reported_on": report.created_at.date().isoformat(),
            "resolved_on": report.resolved_at.date().isoformat() if report.resolved_at else "",
        }


DATASET = OpenDataset(
    name="signalements", title=_("Reports"),
    description=_("The public reports of residents (a malfunction, a congratulation, an idea) with their place, "
                  "category and status, and the commune's answer. Without their authors."),
    fields=(DatasetField("id", "integer", _("Identifier")), DatasetField("commune", "string", _("Commune")),
            DatasetField("commune_insee", "string", _("INSEE code of the commune")),
            DatasetField("kind", "string", _("Kind")), DatasetField("category", "string", _("Category")),
            DatasetField("category_code", "string", _("Category code")),
            DatasetField("status", "string", _("Status")),
            DatasetField("latitude", "number", _("Latitude (WGS 84)")),
            DatasetField("longitude", "number", _("Longitude (WGS 84)")),
            DatasetField("address", "string", _("Address")),
            DatasetField("description", "string", _("Text, as published on the site")),
            DatasetField("me_too", "integer", _("Residents who said “me too”")),
            DatasetField("public_answer", "string", _("Answer")),
            DatasetField("reported_on", "date", _("Reported on")),
            DatasetField("resolved_on", "date", _("Resolved on"))),
    rows=Deferred("concerto.components.reports.open_datasets.rows"), located=True, frequency="DAILY", theme="REGI")
