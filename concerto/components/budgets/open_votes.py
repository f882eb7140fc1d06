"""The budgets' second open dataset: the votes of each project of each budget whose results are published, and whether
it was selected (the rows of the results export, results.export_results, with their commune and space). The counts
are those the public results page shows; who voted is never in it (the anonymous ballots are the pabulib files)."""

from django.utils.translation import gettext_lazy as _

from concerto.core.registry import DatasetField, OpenDataset, PerComponent, dataset_fields

FIELDS = ("budget_id", "budget", "budget_amount", "rule", "ballots", "published_at", "commune", "commune_insee",
          "space", "project_id", "title", "category", "cost", "votes", "selected", "order", "reason")


def export_rows(component) -> list[dict]:
    """Open data: one row per project of the published results of COMPONENT's budgets."""
    from concerto.components.budgets.results import export_results

    space = component.space
    context = {"commune": space.organisation.name, "commune_insee": space.organisation.insee_code,
               "space": space.title}
    return [{**row, **context} for row in export_results(component)]


DATASET = OpenDataset(
    name="votes-budget-participatif", title=_("Participatory budget votes"),
    description=_("For each budget whose results are published, the votes of each project put to the vote and "
                  "whether it was selected, as the results page shows them. Nothing about the voters."),
    fields=dataset_fields(
        FIELDS,
        DatasetField("budget_id", "integer", _("Identifier of the budget")),
        DatasetField("budget", "string", _("Budget")),
        DatasetField("budget_amount", "integer", _("Amount of the budget (euros)")),
        DatasetField("rule", "string", _("Counting rule")),
        DatasetField("ballots", "integer", _("Ballots counted")),
        DatasetField("published_at", "datetime", _("Results published on")),
        DatasetField("space", "string", _("Space")),
        DatasetField("project_id", "integer", _("Identifier of the project")),
        DatasetField("cost", "number", _("Cost (euros)")),
        DatasetField("votes", "number", _("Votes (supporters, or points on a cumulative ballot)")),
        DatasetField("selected", "boolean", _("Selected")),
        DatasetField("order", "integer", _("Order of selection")),
        DatasetField("reason", "string", _("Why it was selected or not"))),
    rows=PerComponent("concerto.components.budgets.open_votes.export_rows"), theme="GOVE",
    sources=("budgets.Result",))
