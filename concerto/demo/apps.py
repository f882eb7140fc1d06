from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Realistic demo data for the Métropole (`manage.py load_demo`). Not needed in production."""

    name = "concerto.demo"
    label = "demo"
