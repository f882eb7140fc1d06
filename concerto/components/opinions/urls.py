"""Public URLs of one opinions component, mounted at /<org_slug>/<space_slug>/debats/<component_id>/.

A stand-in for the participant pages' URLconf (another piece of work): the index the kernel links to, and the
Polis-format export (export_urls.py), which that URLconf includes too."""

from django.http import HttpResponse
from django.urls import include, path


def index(request, org_slug, space_slug, component_id):
    return HttpResponse("")


urlpatterns = [
    path("", index, name="index"),
    path("", include("concerto.components.opinions.export_urls")),
]
