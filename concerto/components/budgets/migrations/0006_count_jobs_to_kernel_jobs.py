# The budgets' CountJob becomes a kernel background job (concerto.core.jobs, kind "budgets.count"): its rows
# are copied there, then the table goes.

from django.db import migrations

FUNC = "concerto.components.budgets.count_jobs.result_count_job"


def forwards(apps, schema_editor):
    CountJob = apps.get_model("budgets", "CountJob")
    Job = apps.get_model("jobs", "Job")
    for old in CountJob.objects.select_related("budget__component__space").order_by("pk").iterator():
        budget = old.budget
        job = Job.objects.create(
            organisation_id=budget.component.space.organisation_id, started_by_id=old.requested_by_id,
            kind="budgets.count", subject=f"budgets.budget:{budget.pk}",
            title=f"Dépouillement de «\u00a0{budget.name}\u00a0»"[:200],
            permission="spaces.manage_space", func=FUNC, args={"budget_id": budget.pk}, status=old.status,
            done=old.progress, total=100, error=old.error, data={"result": old.result_id} if old.result_id else {},
            started_at=old.requested_at, finished_at=None if old.status in ("queued", "running") else old.updated_at)
        # auto_now_add / auto_now: the original times are set by an update.
        Job.objects.filter(pk=job.pk).update(created_at=old.requested_at, updated_at=old.updated_at)


def backwards(apps, schema_editor):
    apps.get_model("jobs", "Job").objects.filter(kind="budgets.count").delete()


class Migration(migrations.Migration):

    dependencies = [
        ('budgets', '0005_project_address'),
        ('jobs', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.DeleteModel(
            name='CountJob',
        ),
    ]
