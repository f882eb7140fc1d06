from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "concerto.core.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from allauth.mfa.signals import authenticator_added

        from concerto.core.accounts.signals import record_mfa_on_activation

        authenticator_added.connect(record_mfa_on_activation, dispatch_uid="concerto_record_mfa")
