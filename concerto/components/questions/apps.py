from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuestionsConfig(AppConfig):
    name = "concerto.components.questions"
    label = "questions"
    verbose_name = _("Questions to elected officials")

    def ready(self):
        from concerto.components.questions import signals  # noqa: F401 - connects the moderation receiver
