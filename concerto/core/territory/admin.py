from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from concerto.core.territory.models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "code", "insee_code", "departement", "population", "parent",
                    "has_boundary"]
    list_filter = ["kind", "departement"]
    search_fields = ["name", "search_name", "slug", "insee_code", "siren", "code"]
    list_select_related = ["parent"]
    readonly_fields = ["search_name", "updated_at"]
    prepopulated_fields = {"slug": ["name"]}
    ordering = ["kind", "name"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("boundary")

    @admin.display(boolean=True, description=_("boundary"))
    def has_boundary(self, obj):
        # Deferred above, so listing 130 communes does not load every polygon.
        return obj.boundary is not None
