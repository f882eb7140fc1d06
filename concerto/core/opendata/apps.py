from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpenDataConfig(AppConfig):
    name = "concerto.core.opendata"
    label = "opendata"
    verbose_name = _("Open data")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from concerto.core import periodic
        from concerto.core.opendata import files, refresh
        from concerto.core.spaces.models import Component, Space
        from concerto.core.territory.models import Organisation

        periodic.job_register(files.NIGHTLY)
        periodic.job_register(refresh.REFRESH)
        # Every model's saves and deletions: the receiver keeps only those of the datasets' sources (a dict lookup).
        post_save.connect(refresh.changed, dispatch_uid="opendata.refresh.save")
        post_delete.connect(refresh.changed, dispatch_uid="opendata.refresh.delete")
        # The catalogue lists the datasets of published spaces with each organisation's licence: a space published
        # or unpublished, a component added, a licence changed show in it at once, not after the cache's hour.
        for model in (Organisation, Space, Component):
            post_save.connect(files.catalogue_forget, sender=model, dispatch_uid=f"opendata.{model.__name__}.save")
            post_delete.connect(files.catalogue_forget, sender=model, dispatch_uid=f"opendata.{model.__name__}.del")
