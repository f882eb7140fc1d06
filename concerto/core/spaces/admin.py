"""Django admin for the Métropole's technical administrators; agents use the back-office (/gestion/)."""

from django.contrib import admin

from concerto.core.spaces.models import Component, Space, Step, Topic


class StepInline(admin.TabularInline):
    model = Step
    extra = 0


class ComponentInline(admin.TabularInline):
    model = Component
    extra = 0
    fields = ("kind", "title", "position", "published")


@admin.register(Space)
class SpaceAdmin(admin.ModelAdmin):
    list_display = ("title", "organisation", "slug", "status", "start_date", "end_date")
    list_filter = ("status", "organisation__kind")
    search_fields = ("title", "slug", "organisation__name")
    raw_id_fields = ("organisation",)
    filter_horizontal = ("scope", "topics")
    inlines = [StepInline, ComponentInline]


@admin.register(Step)
class StepAdmin(admin.ModelAdmin):
    list_display = ("title", "space", "start_date", "end_date", "position")
    search_fields = ("title", "space__title")
    raw_id_fields = ("space",)


@admin.register(Component)
class ComponentAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "space", "published", "position")
    list_filter = ("kind", "published")
    search_fields = ("title", "space__title")
    raw_id_fields = ("space",)


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    """The Métropole's list of topics: one list for every commune (spaces, news, subscriptions, follows)."""

    list_display = ("name", "name_en", "slug", "position")
    list_editable = ("position",)
    search_fields = ("name", "name_en", "slug")
    prepopulated_fields = {"slug": ("name",)}
