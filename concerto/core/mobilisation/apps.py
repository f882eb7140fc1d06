from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MobilisationConfig(AppConfig):
    """Reaching every public: concertation plans drawn up upstream and the directory of local actors."""

    name = "concerto.core.mobilisation"
    label = "mobilisation"
    verbose_name = _("Mobilisation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from concerto.core import periodic
        from concerto.core.mobilisation.campaigns import JOB

        periodic.job_register(JOB)
