from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    name = "concerto.core.resources"
    label = "resources"
    verbose_name = _("Resource centre")

    def ready(self):
        from concerto.core.resources import permissions  # noqa: F401 (registers the named permissions)
