"""Keep each project's comment counter right when the shared participation services write comments.

Comments are created, hidden, restored and deleted by the kernel, which knows nothing of budgets; these
receivers update `Project.comment_count` in the same transaction as the comment row.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from concerto.core.participation.models import Comment


def _is_on_a_project(comment) -> bool:
    from concerto.components.budgets.models import Project

    return comment.target_type_id == ContentType.objects.get_for_model(Project).pk


@receiver(post_save, sender=Comment, dispatch_uid="budgets_comment_saved")
def comment_saved(sender, instance, created, raw=False, **kwargs):
    if raw or not _is_on_a_project(instance):
        return
    from concerto.components.budgets.services import comment_count_refresh

    # A new visible comment adds one; any other change (hidden, restored) recounts.
    comment_count_refresh(project_id=instance.target_id, created=created and not instance.is_hidden)


@receiver(post_delete, sender=Comment, dispatch_uid="budgets_comment_deleted")
def comment_deleted(sender, instance, **kwargs):
    if not _is_on_a_project(instance):
        return
    from concerto.components.budgets.services import comment_count_refresh

    comment_count_refresh(project_id=instance.target_id)
