from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from concerto.core.territory.models import Organisation
from concerto.core.territory.validators import validate_accent_color


class OrganisationAdminForm(forms.ModelForm):
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = ["kind", "name", "slug", "parent", "code", "insee_code", "siren", "departement",
                  "population", "postcodes", "description", "accent_color", "logo", "website",
                  "contact_email"]

    def clean_accent_color(self):
        value = self.cleaned_data["accent_color"]
        if value:
            validate_accent_color(value)
        return value


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    form = OrganisationAdminForm
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
