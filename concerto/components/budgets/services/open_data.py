"""What the budgets component tells outside its pages: open data, the space page's summary, personal data."""

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from concerto.components.budgets.models import Evaluation, Project
from concerto.components.budgets.open_datasets import FIELDS
from concerto.core.accountability.services import with_action_figures
from concerto.core.participation.models import Contribution
from concerto.core.participation.submissions.services import submission_export_row, submissions_summary
from concerto.core.richtext import plain_text

EXPORT_FIELDS = FIELDS  # the open dataset's table schema (open_datasets.py) names them


def export_count(component) -> int:
    """How many rows `export_rows` gives: above CONCERTO_EXPORT_JOB_ROWS, the export is a background job."""
    return Project.objects.public().filter(component=component).count()


def export_rows_job(*, component_id: int):
    """The rows of a big export, in the worker (`concerto.core.jobs.exports`)."""
    from concerto.core.spaces.models import Component

    return export_rows(Component.objects.select_related("space__organisation").get(pk=component_id))


def export_rows(component):
    """Open data: one dict per public project of COMPONENT, oldest first. Nothing about the people (no
    author, no evaluator, no internal notes)."""
    projects = (with_action_figures(Project.objects.public().filter(component=component))
                .select_related("budget", "category", "commune", "component__space__organisation")
                .order_by("created_at", "pk"))
    for project in projects.iterator(chunk_size=500):
        yield submission_export_row(
            project, EXPORT_FIELDS, budget=project.budget.name if project.budget else "",
            estimated_cost=project.estimated_cost, final_cost=project.final_cost, eligibility=project.eligibility,
            eligibility_reason=plain_text(project.eligibility_reason), feasibility=project.feasibility,
            public_answer=plain_text(project.public_answer), merged_into=project.merged_into_id,
            on_ballot=project.on_ballot, ballot_number=project.ballot_number, selected=project.selected,
            # The follow-up of a winning project: its action's (core/accountability), empty before it began.
            stage=project.action_stage or "", progress=project.action_progress,
            works_start=project.action_start.isoformat() if project.action_start else "",
            works_end=project.action_end.isoformat() if project.action_end else "",
        )


def export_projects(component) -> list[dict]:
    return list(export_rows(component))


def summary(component, request) -> str:
    """One sentence for the space's page: how many projects, and what residents can do now."""
    count = Project.objects.public().filter(component=component).count()
    if count:
        counted = ngettext("%(count)s project.", "%(count)s projects.", count) % {"count": count}
    else:
        counted = _("No project yet.")
    voting = not component.window("submissions_open").open and component.window("voting_open").open
    return submissions_summary(
        component, counted=counted, submit_until=pgettext("budget project", "Submit yours until %(date)s."),
        submit=pgettext("budget project", "Submit yours."), closed=_("The vote is open.") if voting else "")


def personal_data(user) -> dict:
    return {
        "budget_projects": [
            {"title": project.title, "text": plain_text(project.text), "estimated_cost": project.estimated_cost,
             "created_at": project.created_at.isoformat(),
             "withdrawn_at": project.withdrawn_at.isoformat() if project.withdrawn_at else None,
             "latitude": project.latitude, "longitude": project.longitude,
             "space": project.component.space.title}
            for project in Project.objects.filter(author=user).select_related("component__space")
        ],
    }


def erase_personal_data(user) -> None:
    """Projects stay (others discussed them, some were voted on or built), without their author; the
    evaluations written by USER stay without them too (the follow-up news are the kernel's actions')."""
    with transaction.atomic():
        Project.objects.filter(author=user).update(author=None)
        Evaluation.objects.filter(evaluator=user).update(evaluator=None)
        Contribution.objects.filter(author=user, kind__startswith="budgets.project").update(author=None)
