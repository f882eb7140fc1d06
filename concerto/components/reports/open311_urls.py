"""Open311 GeoReport v2, mounted at /open311/v2/ (namespace "reports_open311"). Each endpoint answers in
JSON or XML by its extension (services.json, services.xml), as the specification says; its OpenAPI
description is at openapi.json."""

from django.urls import path, re_path

from concerto.components.reports import open311, open311_openapi

urlpatterns = [
    path("", open311.discovery, name="discovery"),
    path("openapi.json", open311_openapi.openapi_view, name="openapi"),
    re_path(r"^discovery\.(?P<fmt>json|xml)$", open311.discovery, name="discovery_format"),
    re_path(r"^services\.(?P<fmt>json|xml)$", open311.service_list, name="services"),
    re_path(r"^services/(?P<code>[^/]+)\.(?P<fmt>json|xml)$", open311.service_definition, name="service"),
    re_path(r"^requests\.(?P<fmt>json|xml)$", open311.requests, name="requests"),
    re_path(r"^requests/(?P<request_id>[^/]+)\.(?P<fmt>json|xml)$", open311.request_detail, name="request"),
    re_path(r"^tokens/(?P<token>[^/]+)\.(?P<fmt>json|xml)$", open311.token_detail, name="token"),
    # Any other address answers with the specification's error list, not the site's HTML page.
    re_path(r"^.*$", open311.not_found, name="not_found"),
]
