"""The follow-up of winning projects moves to the kernel's decisions and actions (issue 16: one model, not two).

Per budget whose result is published and that has winning projects: one Decision (the budget's organisation and
space, the municipal council, dated the day the result was published, « Réalisation des projets lauréats — <budget> »)
and, per winning project, a DecisionLink (adopted, « Projet lauréat du vote ») and the project's own Action (its
`link`): stage from `implementation`, progress, planned dates from the works' dates, planned budget from the cost,
the project's point. Each ProgressUpdate becomes an ActionUpdate (same date, author, stage, progress; its rich text
as plain text) and each photo of an update an ActionPhoto (same file); those photos leave `ProjectPhoto`, which keeps
the submission's own. Nothing is sent: the people concerned were told at the time. Migration 0009 then drops the old
fields. Going back rebuilds them from the actions and deletes what this migration made.
"""

import html

from django.db import migrations
from django.utils.html import strip_tags

STAGES = {"": "planned", "study": "studies", "works": "works", "done": "done", "cancelled": "abandoned"}
IMPLEMENTATIONS = {stage: implementation for implementation, stage in STAGES.items()}
LINK_EXPLANATION = "Projet lauréat du vote."
TITLE = "Réalisation des projets lauréats — {budget}"


def _plain(text: str) -> str:
    return " ".join(html.unescape(strip_tags(text or "")).split())


def forward(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Budget = apps.get_model("budgets", "Budget")
    Project = apps.get_model("budgets", "Project")
    ProjectPhoto = apps.get_model("budgets", "ProjectPhoto")
    Decision = apps.get_model("accountability", "Decision")
    DecisionLink = apps.get_model("accountability", "DecisionLink")
    Action = apps.get_model("accountability", "Action")
    ActionUpdate = apps.get_model("accountability", "ActionUpdate")
    ActionPhoto = apps.get_model("accountability", "ActionPhoto")
    project_type = None
    for budget in Budget.objects.select_related("component__space__organisation").order_by("pk"):
        result = budget.results.filter(published_at__isnull=False).order_by("-published_at").first()
        winners = list(Project.objects.filter(budget=budget, selected=True).order_by("pk"))
        if result is None or not winners:
            continue
        if project_type is None:
            project_type, _ = ContentType.objects.get_or_create(app_label="budgets", model="project")
        space = budget.component.space
        decision = Decision.objects.create(
            organisation_id=space.organisation_id, space=space, title=TITLE.format(budget=budget.name)[:200],
            decided_on=result.published_at.date(), body="municipal_council")
        for project in winners:
            link = DecisionLink.objects.create(
                decision=decision, target_type=project_type, target_id=project.pk, target_kind="budgets.Project",
                target_title=project.title[:200], target_url=_url(project, space),
                target_organisation_id=space.organisation_id, status="adopted", explanation=LINK_EXPLANATION)
            updates = list(project.updates.order_by("created_at", "pk"))
            stage = STAGES.get(project.implementation, "planned")
            cost = project.final_cost if project.final_cost is not None else project.estimated_cost
            last = updates[-1] if updates else None
            action = Action.objects.create(
                decision=decision, link=link, title=project.title[:200], stage=stage,
                abandon_reason=((_plain(last.text) if last else "") or "Projet annulé.")[:500]
                if stage == "abandoned" else "",
                progress=100 if stage == "done" else project.progress, budget_planned=cost,
                planned_start=project.works_start, planned_end=project.works_end,
                actual_end=last.created_at.date() if stage == "done" and last else None,
                latitude=project.latitude, longitude=project.longitude, address=project.address[:250])
            for update in updates:
                ActionUpdate.objects.create(
                    action=action, text=_plain(update.text), stage=STAGES.get(update.implementation, ""),
                    progress=update.progress, author_id=update.author_id, created_at=update.created_at)
            photos = ProjectPhoto.objects.filter(project=project, update__isnull=False).order_by(
                "update__created_at", "position", "pk")
            for photo in photos:
                ActionPhoto.objects.create(action=action, image=photo.image.name, alt=photo.alt[:250])
            photos.delete()


def _url(project, space) -> str:
    # The project page's address as budgets/urls.py spells it today (a migration cannot reverse a later URL).
    return f"/{space.organisation.slug}/{space.slug}/budget-participatif/{project.component_id}/projets/{project.pk}/"


def backward(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Project = apps.get_model("budgets", "Project")
    ProgressUpdate = apps.get_model("budgets", "ProgressUpdate")
    ProjectPhoto = apps.get_model("budgets", "ProjectPhoto")
    Action = apps.get_model("accountability", "Action")
    project_type = ContentType.objects.filter(app_label="budgets", model="project").first()
    if project_type is None:
        return
    decisions = set()
    for action in Action.objects.filter(link__target_type=project_type).select_related("link").order_by("pk"):
        project = Project.objects.filter(pk=action.link.target_id).first()
        if project is None:
            continue
        project.implementation = IMPLEMENTATIONS.get(action.stage, "")
        project.progress = action.progress
        project.works_start, project.works_end = action.planned_start, action.planned_end
        project.save(update_fields=["implementation", "progress", "works_start", "works_end"])
        last = None
        for update in action.updates.order_by("created_at", "pk"):
            last = ProgressUpdate.objects.create(
                project=project, author_id=update.author_id, text=update.text,
                implementation=IMPLEMENTATIONS.get(update.stage or action.stage, ""),
                progress=update.progress if update.progress is not None else action.progress)
            ProgressUpdate.objects.filter(pk=last.pk).update(created_at=update.created_at)
        if last is None and action.photos.exists():
            last = ProgressUpdate.objects.create(project=project, implementation=project.implementation,
                                                 progress=project.progress)
        for position, photo in enumerate(action.photos.order_by("pk")):
            ProjectPhoto.objects.create(project=project, update=last, image=photo.image.name, alt=photo.alt[:200],
                                        position=position)
        decisions.add(action.decision_id)
        action.link.delete()
        action.delete()
    # The decisions this migration made answer nothing else: they go too.
    apps.get_model("accountability", "Decision").objects.filter(
        pk__in=decisions, links__isnull=True, actions__isnull=True).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("budgets", "0007_ballot_intake_batch"),
        ("accountability", "0002_action_link"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forward, backward)]
