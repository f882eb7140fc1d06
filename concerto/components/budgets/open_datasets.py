"""The budgets' open dataset: every public project, its review, its place on the ballot and its works."""

from django.utils.translation import gettext_lazy as _

from concerto.core.registry import DatasetField, Deferred, OpenDataset, PerComponent, dataset_fields

FIELDS = ("id", "title", "text", "budget", "category", "commune", "commune_insee", "latitude", "longitude",
          "estimated_cost", "final_cost", "eligibility", "eligibility_reason", "feasibility",
          "public_answer", "merged_into", "on_ballot", "ballot_number", "selected", "stage",
          "progress", "works_start", "works_end", "comments", "created_at", "url")


DATASET = OpenDataset(
    name="projets-budget-participatif", title=_("Participatory budget projects"),
    description=_("The public projects of participatory budgets: their cost, review, place on the ballot, "
                  "whether they were selected and the progress of their works. Without their authors."),
    fields=dataset_fields(
        FIELDS,
        DatasetField("budget", "string", _("Budget")),
        DatasetField("estimated_cost", "number", _("Estimated cost (euros)")),
        DatasetField("final_cost", "number", _("Final cost (euros)")),
        DatasetField("eligibility", "string", _("Eligibility")),
        DatasetField("eligibility_reason", "string", _("Reason of the eligibility")),
        DatasetField("feasibility", "string", _("Feasibility")),
        DatasetField("merged_into", "integer", _("Merged into the project")),
        DatasetField("on_ballot", "boolean", _("On the ballot")),
        DatasetField("ballot_number", "integer", _("Number on the ballot")),
        DatasetField("selected", "boolean", _("Selected")),
        DatasetField("stage", "string", _("Stage of the works (planned, studies, works, done, abandoned)")),
        DatasetField("progress", "integer", _("Progress (percent)")),
        DatasetField("works_start", "date", _("Works start")),
        DatasetField("works_end", "date", _("Works end")),
    ),
    rows=PerComponent("concerto.components.budgets.services.open_data.export_rows"), located=True, theme="GOVE",
    sources=("budgets.Project", "accountability.Action"),
    related=Deferred("concerto.components.budgets.results.pabulib_files"))
