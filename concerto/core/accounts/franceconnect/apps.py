from django.apps import AppConfig


class FranceConnectConfig(AppConfig):
    # An app of its own only because allauth finds providers by app (its `provider.py` and `urls.py`).
    name = "concerto.core.accounts.franceconnect"
    label = "franceconnect"
    verbose_name = "FranceConnect"
