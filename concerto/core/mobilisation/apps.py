from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MobilisationConfig(AppConfig):
    """Reaching every public: concertation plans drawn up upstream and the directory of local actors."""

    name = "concerto.core.mobilisation"
    label = "mobilisation"
    verbose_name = _("Mobilisation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from concerto.core import periodic
        from concerto.core.accounts.privacy import AccountPage, PersonalDataProvider, personal_data_provider_register
        from concerto.core.mobilisation import campaigns, members
        from concerto.core.participation.behalf import behalf_provider_register

        periodic.job_register(campaigns.JOB)
        # Who may contribute « au nom de » an actor: the ledger (below) asks the directory through this.
        behalf_provider_register(members.actors_of)
        # The RGPD export lists the campaigns a person was sent and the actors they belong to; erasure deletes both.
        personal_data_provider_register(PersonalDataProvider(name="mobilisation.campaigns",
                                                             export=campaigns.personal_data,
                                                             erase=campaigns.erase_personal_data))
        personal_data_provider_register(PersonalDataProvider(
            name="mobilisation.actors", export=members.export_personal_data, erase=members.erase_personal_data,
            account_pages=(AccountPage(pgettext_lazy("actors", "My organisations"),
                                       "mobilisation_account:memberships"),)))
