"""Keep each submission's comment counter right when the shared participation services write comments.

Comments are created, hidden, restored and deleted by the kernel; these receivers update `comment_count` of
the commented row, when it is a Submission, in the same transaction as the comment row. A component gets this
by subclassing Submission: it writes no receiver of its own.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from concerto.core.participation.models import Comment
from concerto.core.participation.signals import comments_moved
from concerto.core.participation.submissions.models import Submission


def _submission_model(comment):
    model = ContentType.objects.get_for_id(comment.target_type_id).model_class()
    return model if model is not None and issubclass(model, Submission) else None


@receiver(post_save, sender=Comment, dispatch_uid="submissions_comment_saved")
def comment_saved(sender, instance, created, raw=False, **kwargs):
    model = None if raw else _submission_model(instance)
    if model is None:
        return
    from concerto.core.participation.submissions.services import comment_count_refresh

    # A new visible comment adds one; any other change (hidden, restored) recounts.
    comment_count_refresh(model=model, pk=instance.target_id, created=created and not instance.is_hidden)


@receiver(post_delete, sender=Comment, dispatch_uid="submissions_comment_deleted")
def comment_deleted(sender, instance, **kwargs):
    model = _submission_model(instance)
    if model is None:
        return
    from concerto.core.participation.submissions.services import comment_count_refresh

    comment_count_refresh(model=model, pk=instance.target_id)


@receiver(comments_moved, dispatch_uid="submissions_comments_moved")
def comments_moved_recount(sender, source, target, **kwargs):
    from concerto.core.participation.submissions.services import comment_count_refresh

    for item in (source, target):
        if isinstance(item, Submission):
            comment_count_refresh(model=type(item), pk=item.pk)
