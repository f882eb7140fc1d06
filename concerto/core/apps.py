from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "concerto.core"
    label = "core"

    def ready(self) -> None:
        from concerto.core import registry

        registry.autodiscover()
