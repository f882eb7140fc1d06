"""The events' open dataset: every public meeting with its place and how many registered."""

from django.utils.translation import gettext_lazy as _

from concerto.core.registry import DatasetField, OpenDataset, PerComponent, dataset_fields

FIELDS = ("id", "kind", "format", "title", "description", "starts_at", "ends_at", "place", "address", "latitude",
          "longitude", "commune", "commune_insee", "step_free_access", "induction_loop", "sign_language", "languages",
          "audiences", "organiser", "capacity", "registrations", "cancelled")

DATASET = OpenDataset(
    name="rencontres", title=_("Events and attendance"),
    description=_("The public meetings, workshops and walks: when, where, their accessibility and how many "
                  "people registered. Without the names of those who came."),
    fields=dataset_fields(
        FIELDS,
        DatasetField("format", "string", _("Format")),
        DatasetField("description", "string", _("Description")),
        DatasetField("starts_at", "datetime", _("Starts at")), DatasetField("ends_at", "datetime", _("Ends at")),
        DatasetField("place", "string", _("Place")),
        DatasetField("step_free_access", "boolean", _("Step-free access")),
        DatasetField("induction_loop", "boolean", _("Induction loop")),
        DatasetField("sign_language", "boolean", _("Sign language")),
        DatasetField("languages", "string", _("Languages")), DatasetField("audiences", "string", _("Audiences")),
        DatasetField("organiser", "string", _("Organiser")), DatasetField("capacity", "integer", _("Capacity")),
        DatasetField("registrations", "integer", _("Registrations")),
        DatasetField("cancelled", "boolean", _("Cancelled"))),
    rows=PerComponent("concerto.components.events.services.export_events"), located=True, theme="SOCI",
    sources=("events.Event", "events.Registration"))
