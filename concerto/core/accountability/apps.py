from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountabilityConfig(AppConfig):
    name = "concerto.core.accountability"
    label = "accountability"
    verbose_name = _("Decisions and actions")

    def ready(self):
        from concerto.core.accounts.privacy import AccountPage, PersonalDataProvider, personal_data_provider_register

        # Nothing personal is kept here (links and updates name the agent, set to empty when the account goes): the
        # provider only lists « Ce que sont devenues mes contributions » among the pages of the person's account.
        personal_data_provider_register(PersonalDataProvider(
            name="accountability",
            account_pages=(AccountPage(_("What became of my contributions"), "accountability_account:mine"),)))
