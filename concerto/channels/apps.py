from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "concerto.channels"
    label = "channels"
    verbose_name = _("Chat channels")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from concerto.channels import privacy
        from concerto.core.accounts.privacy import personal_data_provider_register

        personal_data_provider_register(privacy.PROVIDER)

        from concerto.channels.broadcasts import item_published_received
        from concerto.core.spaces.signals import item_published

        item_published.connect(item_published_received, dispatch_uid="channels.news_announce")

        from concerto.channels.broadcasts import SMS_HELD_JOB
        from concerto.core import periodic

        periodic.job_register(SMS_HELD_JOB)

        from concerto.channels import campaign_transports

        campaign_transports.register()
