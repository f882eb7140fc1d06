from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "concerto.core.jobs"
    label = "jobs"
    verbose_name = _("Background jobs")

    def ready(self) -> None:
        from concerto.core import periodic
        from concerto.core.accounts.privacy import personal_data_provider_register
        from concerto.core.jobs import privacy, services

        # The RGPD export, erasure and retention (accounts) reach the jobs this way.
        personal_data_provider_register(privacy.PROVIDER)

        periodic.job_register(services.STALE_CHECK)
        periodic.job_register(services.FILES_PURGE)
