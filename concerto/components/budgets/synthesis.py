"""The participatory budget's part of a space's synthesis for elected officials (manifest hook `synthesis`): the
ballots cast and the winning projects of each published count, with their votes and cost."""

from django.utils.translation import gettext as _

from concerto.components.budgets.models import Budget, Project
from concerto.components.budgets.results import money, outcome_of, published_result, statistics
from concerto.core.synthesis import Figure, Row, Section, Table, component_link


def sections(component) -> list[Section]:
    numbers = statistics(component)
    results = component_link(component, "results")
    rows, counted = [], 0
    for budget in Budget.objects.filter(component=component).order_by("pk"):
        result = published_result(budget)
        if result is None:
            continue
        counted += 1
        outcome = outcome_of(result)
        projects = Project.objects.in_bulk([int(pk) for pk in outcome.selected])
        for pk in outcome.selected:
            project = projects.get(int(pk))
            if project is not None:
                project.component = component
                rows.append(Row([project.title, budget.name, outcome.projects[pk].votes,
                                 money(round(float(outcome.projects[pk].cost)))], project.get_absolute_url()))
    return [Section(
        _("Participatory budget: %(title)s") % {"title": component.title}, component.title, results,
        figures=[Figure(_("Ballots cast"), numbers["ballots"], results),
                 Figure(_("Voters"), numbers["voters"], results),
                 *([Figure(_("Turnout (% of inhabitants)"), numbers["turnout"], results)]
                   if numbers["turnout"] is not None else [])],
        table=Table(_("Winning projects"), [_("Project"), _("Budget"), _("Votes"), _("Cost")], rows) if rows else None,
        note="" if counted else _("No count has been published yet."),
    )]
