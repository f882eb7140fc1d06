"""The proposals' open dataset: every public proposal with its supports and the commune's answer."""

from django.utils.translation import gettext_lazy as _

from concerto.core.registry import DatasetField, OpenDataset, PerComponent, dataset_fields

FIELDS = ("id", "title", "text", "category", "commune", "commune_insee", "latitude", "longitude",
          "created_at", "withdrawn_at", "supports", "comments", "answer_status", "answer_text", "answered_at", "url")

DATASET = OpenDataset(
    name="propositions", title=_("Proposals"),
    description=_("The public proposals of residents, with how many supported them and the commune's answer. "
                  "Without their authors."),
    fields=dataset_fields(
        FIELDS, DatasetField("supports", "integer", _("Supports")),
        DatasetField("answer_status", "string", _("Answer status")),
        DatasetField("answer_text", "string", _("Answer")),
        DatasetField("answered_at", "datetime", _("Answered on"))),
    rows=PerComponent("concerto.components.proposals.manifest.export_rows"), located=True, theme="GOVE",
    sources=("proposals.Proposal", "proposals.Support"))
