"""Connect a commune's Telegram bot or SMS number from the command line, as the back-office's forms do
(/gestion/<org>/canaux/): `manage.py transport_connect telegram sceaux <bot token>` checks the token (getMe),
keeps it encrypted with a new secret and calls setWebhook with that secret_token (nothing saved if Telegram
refuses); `manage.py transport_connect sms sceaux +33700000001` prints the callback URL to give the provider."""

from django.core.management.base import BaseCommand, CommandError

from concerto.channels import services
from concerto.channels.models import Platform
from concerto.core.territory.models import Organisation


class Command(BaseCommand):
    help = "Connect a commune's Telegram bot (token) or SMS number, and say where the platform must call."

    def add_arguments(self, parser):
        parser.add_argument("platform", choices=[Platform.TELEGRAM, Platform.SMS])
        parser.add_argument("commune", help="the commune's slug")
        parser.add_argument("value", help="Telegram: the bot token; SMS: the number people write to")

    def handle(self, platform, commune, value, **options):
        organisation = Organisation.objects.communes().filter(slug=commune).first()
        if organisation is None:
            raise CommandError(f"Aucune commune « {commune} ».")
        try:
            if platform == Platform.SMS:
                channel = services.sms_channel_connect(actor=None, organisation=organisation, number=value)
                self.stdout.write(services.sms_callback_url(channel))
                return
            channel = services.telegram_channel_connect(actor=None, organisation=organisation, token=value)
        except services.PlatformRefused as refused:
            raise CommandError(refused.message) from None
        self.stdout.write(f"@{channel.external_id} -> {services.telegram_webhook_url(channel)}")
