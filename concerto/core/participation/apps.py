from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "concerto.core.participation"
    label = "participation"
    verbose_name = _("Participation")

    def ready(self):
        from concerto.core.participation.submissions import signals  # noqa: F401 - connects the comment counter
