"""Site-wide URLs of reports, mounted at /signalements/ (namespace "reports_signalements"): the public page of
each report (a report belongs to the commune at its point, whichever page or client received it)."""

from django.urls import path

from concerto.components.reports import views

urlpatterns = [
    path("<int:report_id>/", views.report_detail, name="detail"),
    path("<int:report_id>/moi-aussi/", views.report_support, name="support"),
    path("<int:report_id>/suivre/", views.report_follow, name="follow"),
    path("<int:report_id>/rouvrir/", views.report_reopen, name="reopen"),
]
