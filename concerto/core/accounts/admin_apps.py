from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    """The Django admin behind allauth's login and the second factor (admin_site.py)."""

    default_site = "concerto.core.accounts.admin_site.AdminSite"
