from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "concerto.core.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from allauth.mfa.signals import authenticator_added

        from concerto.core.accounts import retention
        from concerto.core.accounts.privacy import personal_data_provider_register
        from concerto.core.accounts.signals import record_mfa_on_activation

        # Its own retention periods (its export and erasure are accounts.services' own).
        personal_data_provider_register(retention.PROVIDER)
        authenticator_added.connect(record_mfa_on_activation, dispatch_uid="concerto_record_mfa")
