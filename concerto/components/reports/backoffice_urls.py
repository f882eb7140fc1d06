"""Back-office URLs of one reports component (namespace "reports_backoffice"), mounted at
/gestion/<org_slug>/<space_slug>/signalements/<component_id>/. The queue holds the reports of the
component's organisation (and the communes below it)."""

from django.urls import path

from concerto.components.reports import backoffice_views

urlpatterns = [
    path("", backoffice_views.queue, name="index"),
    path("actions-groupees/", backoffice_views.bulk_action, name="bulk"),
    path("doublons/", backoffice_views.duplicates, name="duplicates"),
    path("<int:report_id>/", backoffice_views.report_manage, name="report"),
    path("<int:report_id>/fusionner/", backoffice_views.report_merge, name="merge"),
    path("<int:report_id>/photos/<int:photo_id>/masquer/", backoffice_views.photo_hide, name="photo_hide"),
    path("services/", backoffice_views.service_list, name="services"),
    path("services/<int:service_id>/", backoffice_views.service_edit, name="service_edit"),
    path("categories/", backoffice_views.category_list, name="categories"),
    path("categories/<int:category_id>/", backoffice_views.category_edit, name="category_edit"),
    path("tableau-de-bord/", backoffice_views.dashboard, name="dashboard"),
    path("tableau-de-bord/export.csv", backoffice_views.dashboard_csv, name="dashboard_csv"),
    path("cles-open311/", backoffice_views.api_keys, name="api_keys"),
    path("cles-open311/<int:key_id>/revoquer/", backoffice_views.api_key_revoke, name="api_key_revoke"),
]
