from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class TerritoryConfig(AppConfig):
    name = "concerto.core.territory"
    label = "territory"
    verbose_name = _("Territory")

    def ready(self):
        from concerto.core.territory import lookup
        from concerto.core.territory.models import Organisation

        # A change made in this process shows in the point lookup at once, without waiting for its recheck.
        def clear_lookup(**kwargs):
            lookup.index_clear()

        post_save.connect(clear_lookup, sender=Organisation, dispatch_uid="territory_lookup_save")
        post_delete.connect(clear_lookup, sender=Organisation, dispatch_uid="territory_lookup_delete")
