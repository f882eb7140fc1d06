from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpenDataConfig(AppConfig):
    name = "concerto.core.opendata"
    label = "opendata"
    verbose_name = _("Open data")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from concerto.core import periodic
        from concerto.core.opendata import files
        from concerto.core.spaces.models import Component, Space
        from concerto.core.territory.models import Organisation

        periodic.job_register(files.NIGHTLY)
        # The catalogue lists the datasets of published spaces with each organisation's licence: a space published
        # or unpublished, a component added, a licence changed show in it at once, not after the cache's hour.
        for model in (Organisation, Space, Component):
            post_save.connect(files.catalogue_forget, sender=model, dispatch_uid=f"opendata.{model.__name__}.save")
            post_delete.connect(files.catalogue_forget, sender=model, dispatch_uid=f"opendata.{model.__name__}.del")
