"""Open311 GeoReport v2, mounted at /open311/v2/ (namespace "reports_open311"). Each endpoint answers in
JSON or XML by its extension (services.json, services.xml), as the specification says."""

from django.urls import path, re_path

from concerto.components.reports import open311

urlpatterns = [
    path("", open311.discovery, name="discovery"),
    re_path(r"^discovery\.(?P<fmt>json|xml)$", open311.discovery, name="discovery_format"),
    re_path(r"^services\.(?P<fmt>json|xml)$", open311.service_list, name="services"),
    re_path(r"^services/(?P<code>[^/]+)\.(?P<fmt>json|xml)$", open311.service_definition, name="service"),
    re_path(r"^requests\.(?P<fmt>json|xml)$", open311.requests, name="requests"),
    re_path(r"^requests/(?P<request_id>[^/]+)\.(?P<fmt>json|xml)$", open311.request_detail, name="request"),
    re_path(r"^tokens/(?P<token>[^/]+)\.(?P<fmt>json|xml)$", open311.token_detail, name="token"),
]
