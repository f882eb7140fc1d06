"""Connect a commune's Telegram bot or SMS number: `manage.py transport_connect telegram sceaux <bot token>` checks
the token (getMe), keeps it encrypted with a new secret and calls setWebhook with that secret_token;
`manage.py transport_connect sms sceaux +33700000001` prints the callback URL to give the provider."""

import requests
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from concerto.channels.models import Platform
from concerto.channels.services import transport_channel_connect
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
        if platform == Platform.SMS:
            channel, secret = transport_channel_connect(actor=None, organisation=organisation, platform=platform,
                                                        external_id=value)
            path = reverse("channels:sms_inbound", args=[channel.pk])
            self.stdout.write(f"{settings.SITE_URL.rstrip('/')}{path}?cle={secret}")
            return
        api = f"{settings.CONCERTO_TELEGRAM_API_URL.rstrip('/')}/bot{value}"
        try:
            me = requests.post(f"{api}/getMe", timeout=10).json()
        except (requests.RequestException, ValueError) as error:
            raise CommandError(f"Bot API injoignable : {type(error).__name__}") from None
        if not me.get("ok"):
            raise CommandError("Jeton de bot refusé par Telegram.")
        channel, secret = transport_channel_connect(actor=None, organisation=organisation, platform=platform,
                                                    external_id=me["result"]["username"], token=value)
        url = settings.SITE_URL.rstrip("/") + reverse("channels:telegram_webhook", args=[channel.pk])
        answer = requests.post(f"{api}/setWebhook", json={
            "url": url, "secret_token": secret, "allowed_updates": ["message", "callback_query"]}, timeout=10)
        if not answer.ok:
            raise CommandError(f"setWebhook refusé : {answer.text[:200]}")
        self.stdout.write(f"@{me['result']['username']} -> {url}")
