from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpenDataConfig(AppConfig):
    name = "concerto.core.opendata"
    label = "opendata"
    verbose_name = _("Open data")

    def ready(self) -> None:
        from concerto.core import periodic
        from concerto.core.opendata import files

        periodic.job_register(files.NIGHTLY)
