"""The budgets' open dataset: every public project, its review, its place on the ballot and its works."""

from django.utils.translation import gettext_lazy as _

from concerto.core.participation.submissions.services import submission_dataset_fields
from concerto.core.registry import DatasetField, Deferred, OpenDataset

FIELDS = ("id", "title", "text", "budget", "category", "commune", "commune_insee", "latitude", "longitude",
          "estimated_cost", "final_cost", "eligibility", "eligibility_reason", "feasibility",
          "public_answer", "merged_into", "on_ballot", "ballot_number", "selected", "implementation",
          "progress", "works_start", "works_end", "comments", "created_at", "url")


DATASET = OpenDataset(
    name="projets-budget-participatif", title=_("Participatory budget projects"),
    description=_("The public projects of participatory budgets: their cost, review, place on the ballot, "
                  "whether they were selected and the progress of their works. Without their authors."),
    fields=submission_dataset_fields(FIELDS, **{
        "budget": DatasetField("budget", "string", _("Budget")),
        "estimated_cost": DatasetField("estimated_cost", "number", _("Estimated cost (euros)")),
        "final_cost": DatasetField("final_cost", "number", _("Final cost (euros)")),
        "eligibility": DatasetField("eligibility", "string", _("Eligibility")),
        "eligibility_reason": DatasetField("eligibility_reason", "string", _("Reason of the eligibility")),
        "feasibility": DatasetField("feasibility", "string", _("Feasibility")),
        "public_answer": DatasetField("public_answer", "string", _("Answer")),
        "merged_into": DatasetField("merged_into", "integer", _("Merged into the project")),
        "on_ballot": DatasetField("on_ballot", "boolean", _("On the ballot")),
        "ballot_number": DatasetField("ballot_number", "integer", _("Number on the ballot")),
        "selected": DatasetField("selected", "boolean", _("Selected")),
        "implementation": DatasetField("implementation", "string", _("Works")),
        "progress": DatasetField("progress", "integer", _("Progress (percent)")),
        "works_start": DatasetField("works_start", "date", _("Works start")),
        "works_end": DatasetField("works_end", "date", _("Works end")),
    }),
    rows=Deferred("concerto.components.budgets.services.open_data.open_rows"), located=True, theme="GOVE")
