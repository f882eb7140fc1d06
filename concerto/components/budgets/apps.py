from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetsConfig(AppConfig):
    name = "concerto.components.budgets"
    label = "budgets"
    verbose_name = _("Participatory budgets")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from concerto.components.budgets.ballots import ballot_box_forget
        from concerto.components.budgets.models import Budget, Project
        from concerto.core.spaces.models import Component, Space, Step

        # This process's cached ballot boxes follow its own changes at once (other processes' caches expire,
        # and the fast path's stamp keeps them from accepting anything meanwhile).
        for model in (Budget, Project, Component, Step, Space):
            post_save.connect(ballot_box_forget, sender=model, dispatch_uid=f"ballot_box_forget_save_{model.__name__}")
            post_delete.connect(ballot_box_forget, sender=model,
                                dispatch_uid=f"ballot_box_forget_delete_{model.__name__}")
