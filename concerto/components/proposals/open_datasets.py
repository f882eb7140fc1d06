"""The proposals' open dataset: every public proposal with its supports and the commune's answer."""

from django.utils.translation import gettext_lazy as _

from concerto.core.participation.submissions.services import submission_dataset_fields
from concerto.core.registry import DatasetField, Deferred, OpenDataset

FIELDS = ("id", "title", "text", "category", "commune", "commune_insee", "latitude", "longitude",
          "created_at", "withdrawn_at", "supports", "comments", "answer_status", "answer_text", "answered_at", "url")


DATASET = OpenDataset(
    name="propositions", title=_("Proposals"),
    description=_("The public proposals of residents, with how many supported them and the commune's answer. "
                  "Without their authors."),
    fields=submission_dataset_fields(
        FIELDS, supports=DatasetField("supports", "integer", _("Supports")),
        answer_status=DatasetField("answer_status", "string", _("Answer status")),
        answer_text=DatasetField("answer_text", "string", _("Answer")),
        answered_at=DatasetField("answered_at", "datetime", _("Answered on"))),
    rows=Deferred("concerto.components.proposals.manifest.open_rows"), located=True, theme="GOVE")
