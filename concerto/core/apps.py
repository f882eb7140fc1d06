from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "concerto.core"
    label = "core"

    def ready(self) -> None:
        from concerto.core import deployment, registry  # noqa: F401 - deployment registers its system check

        registry.autodiscover()
