"""The events' open dataset: every public meeting with its place and how many registered."""

from django.utils.translation import gettext_lazy as _

from concerto.core.registry import DatasetField, Deferred, OpenDataset


def rows(*, components, organisation):
    from concerto.components.events.services import export_events

    for component in components:
        yield from export_events(component)


DATASET = OpenDataset(
    name="rencontres", title=_("Events and attendance"),
    description=_("The public meetings, workshops and walks: when, where, their accessibility and how many "
                  "people registered. Without the names of those who came."),
    fields=(DatasetField("id", "integer", _("Identifier")), DatasetField("kind", "string", _("Kind")),
            DatasetField("format", "string", _("Format")), DatasetField("title", "string", _("Title")),
            DatasetField("description", "string", _("Description")),
            DatasetField("starts_at", "datetime", _("Starts at")), DatasetField("ends_at", "datetime", _("Ends at")),
            DatasetField("place", "string", _("Place")), DatasetField("address", "string", _("Address")),
            DatasetField("latitude", "number", _("Latitude (WGS 84)")),
            DatasetField("longitude", "number", _("Longitude (WGS 84)")),
            DatasetField("commune", "string", _("Commune")),
            DatasetField("commune_insee", "string", _("INSEE code of the commune")),
            DatasetField("step_free_access", "boolean", _("Step-free access")),
            DatasetField("induction_loop", "boolean", _("Induction loop")),
            DatasetField("sign_language", "boolean", _("Sign language")),
            DatasetField("languages", "string", _("Languages")), DatasetField("audiences", "string", _("Audiences")),
            DatasetField("organiser", "string", _("Organiser")), DatasetField("capacity", "integer", _("Capacity")),
            DatasetField("registrations", "integer", _("Registrations")),
            DatasetField("cancelled", "boolean", _("Cancelled"))),
    rows=Deferred("concerto.components.events.open_datasets.rows"), located=True, theme="SOCI")
