from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PollsConfig(AppConfig):
    name = "concerto.components.polls"
    label = "polls"
    verbose_name = _("Quick polls")
