from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetsConfig(AppConfig):
    name = "concerto.components.budgets"
    label = "budgets"
    verbose_name = _("Participatory budgets")

    def ready(self):
        from concerto.components.budgets import signals  # noqa: F401 - connects the comment counter
