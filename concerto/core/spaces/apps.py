from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpacesConfig(AppConfig):
    name = "concerto.core.spaces"
    label = "spaces"
    verbose_name = _("Participation spaces")
