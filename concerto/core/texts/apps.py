from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TextsConfig(AppConfig):
    name = "concerto.core.texts"
    label = "texts"
    verbose_name = _("Free texts")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from concerto.core.participation.models import Contribution
        from concerto.core.texts import themes

        # A new contribution (a proposal, an answer, a comment...) in a space whose themes exist: recompute them
        # a little later (debounced), in the worker.
        post_save.connect(themes.contribution_saved, sender=Contribution, dispatch_uid="texts.themes.contribution")
