"""A question is published when a moderator keeps it in the kernel's moderation queue, and refused when they
hide it (the kernel's `content_moderated` signal)."""

from django.dispatch import receiver

from concerto.core.participation.signals import content_moderated


@receiver(content_moderated)
def question_moderated(sender, content, moderator, decision, **kwargs):
    from concerto.components.questions import services
    from concerto.components.questions.models import Question

    if isinstance(content, Question):
        services.question_moderated(moderator=moderator, question=content, decision=decision)
