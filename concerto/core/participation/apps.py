from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "concerto.core.participation"
    label = "participation"
    verbose_name = _("Participation")

    def ready(self):
        from concerto.core.accounts.privacy import personal_data_provider_register
        from concerto.core.participation import privacy, push  # noqa: F401 - push registers its delivery channel
        from concerto.core.participation.submissions import signals  # noqa: F401 - connects the comment counter

        # The RGPD export and erasure (accounts) reach comments, follows, notifications and the ledger this way.
        personal_data_provider_register(privacy.PROVIDER)
        from concerto.core.participation.feed import space_published_received
        from concerto.core.spaces.signals import space_published

        space_published.connect(space_published_received, dispatch_uid="participation.feed_space")
        from concerto.core import periodic
        from concerto.core.participation import newsletters
        from concerto.core.participation.digests import JOB

        periodic.job_register(JOB)
        from allauth.account.signals import email_confirmed

        from concerto.core.participation.bounces import email_confirmed_received

        email_confirmed.connect(email_confirmed_received, dispatch_uid="participation.bounces_reset")
        periodic.job_register(newsletters.JOB)
