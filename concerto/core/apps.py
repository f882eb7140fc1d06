from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "concerto.core"
    label = "core"

    def ready(self) -> None:
        from django.core.signals import got_request_exception

        # deployment and security register their system checks on import.
        from concerto.core import deployment, metrics, periodic, registry, retention, security  # noqa: F401

        registry.autodiscover()
        periodic.job_register(retention.JOB)
        periodic.job_register(periodic.STATISTICS_JOB)
        # Counted for the metrics: a request that failed because the database connection did.
        got_request_exception.connect(metrics.request_exception_observe, dispatch_uid="concerto_metrics_errors")
