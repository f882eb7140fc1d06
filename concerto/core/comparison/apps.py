from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComparisonConfig(AppConfig):
    name = "concerto.core.comparison"
    label = "comparison"
    verbose_name = _("Comparison across communes")

    def ready(self) -> None:
        from concerto.core import periodic
        from concerto.core.comparison import figures

        periodic.job_register(figures.REFRESH)
