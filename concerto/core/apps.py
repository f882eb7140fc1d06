from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "concerto.core"
    label = "core"

    def ready(self) -> None:
        from concerto.core import registry, security  # noqa: F401 - security registers its system checks

        registry.autodiscover()
