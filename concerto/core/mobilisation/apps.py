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
        from concerto.core.accounts.privacy import PersonalDataProvider, personal_data_provider_register
        from concerto.core.mobilisation import campaigns

        periodic.job_register(campaigns.JOB)
        # The RGPD export lists the campaigns a person was sent; erasure deletes their deliveries.
        personal_data_provider_register(PersonalDataProvider(name="mobilisation", export=campaigns.personal_data,
                                                             erase=campaigns.erase_personal_data))
