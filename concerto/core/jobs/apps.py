from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "concerto.core.jobs"
    label = "jobs"
    verbose_name = _("Background jobs")

    def ready(self) -> None:
        from concerto.core import periodic
        from concerto.core.jobs import services

        periodic.job_register(services.STALE_CHECK)
        periodic.job_register(services.FILES_PURGE)
