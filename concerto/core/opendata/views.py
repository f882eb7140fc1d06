"""The open-data portal's pages and downloads: thin, public, without a session."""

import json

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from concerto.core.opendata import catalogue, datasets, files
from concerto.core.opendata.models import OpenDataFile
from concerto.core.territory.models import Organisation

BROWSER_CACHE_SECONDS = 3600
CATALOGUE_TYPES = {"jsonld": "application/ld+json", "ttl": "text/turtle; charset=utf-8"}


def _scope(slug: str) -> Organisation | None:
    try:
        return datasets.scope_get(slug)
    except Organisation.DoesNotExist:
        raise Http404(_("No organisation has this address.")) from None


def _published(organisation: Organisation | None, name: str) -> datasets.Published:
    """The dataset NAME if the scope publishes it; a 404 otherwise (unknown, or only in unpublished spaces)."""
    published = next((p for p in datasets.scope_datasets(organisation) if p.dataset.name == name), None)
    if published is None:
        raise Http404(_("No open dataset has this name here."))
    return published


def _metropole() -> Organisation | None:
    return files.scopes()[0]


@require_safe
def index(request, scope: str = ""):
    organisation = _scope(scope) if scope else _metropole()
    organisations = [o for o in files.scopes() if o is not None]
    entries = [{"published": p, "url": catalogue.dataset_path(p, organisation)}
               for p in datasets.scope_datasets(organisation)]
    return render(request, "opendata/index.html", {
        "organisation": organisation, "entries": entries, "organisations": organisations,
        "scope": datasets.scope_slug(organisation), "licence": catalogue.licence_of(organisation)})


@require_safe
def dataset(request, scope: str, name: str):
    organisation = _scope(scope)
    published = _published(organisation, name)
    written = {f.format: f for f in OpenDataFile.objects.filter(dataset=name, organisation=organisation)}
    downloads = [{"format": fmt, "label": fmt.upper(), "media_type": files.MEDIA_TYPES[fmt],
                  "url": catalogue.download_path(published, organisation, fmt), "file": written.get(fmt)}
                 for fmt in files.formats(published.dataset)]
    related = catalogue.related_files(published, organisation)
    last = max((f.generated_at for f in written.values()), default=None)
    return render(request, "opendata/dataset.html", {
        "organisation": organisation, "published": published, "dataset": published.dataset,
        "downloads": downloads, "related": related, "last_update": last, "scope": datasets.scope_slug(organisation),
        "licence": catalogue.licence_of(organisation), "small_count": datasets.SMALL_COUNT})


@require_safe
def download(request, scope: str, name: str, fmt: str):
    organisation = _scope(scope)
    published = _published(organisation, name)
    if fmt not in files.formats(published.dataset):
        raise Http404(_("This dataset has no file in this format."))
    record = files.file_get(published, organisation, fmt)
    etag = f'"{record.etag}"'
    last_modified = record.generated_at.timestamp()
    response = get_conditional_response(request, etag=etag, last_modified=int(last_modified))
    if response is None:
        response = FileResponse(files.path_of(record).open("rb"), content_type=files.CONTENT_TYPES[fmt],
                                as_attachment=False, filename=f"{scope}-{name}.{fmt}")
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    response["Access-Control-Allow-Origin"] = "*"
    patch_cache_control(response, public=True, max_age=BROWSER_CACHE_SECONDS)
    return response


@require_safe
def datapackage(request, scope: str, name: str):
    """The dataset's Frictionless data package descriptor (datapackage.json): its CSV resource and table schema."""
    organisation = _scope(scope)
    published = _published(organisation, name)
    response = HttpResponse(json.dumps(descriptor(published, organisation), ensure_ascii=False, indent=2),
                            content_type="application/json")
    response["Access-Control-Allow-Origin"] = "*"
    return response


def descriptor(published: datasets.Published, organisation: Organisation | None, *, path: str = "") -> dict:
    """The data package of PUBLISHED for the scope; PATH replaces the CSV's address (the tests' local copy)."""
    dataset = published.dataset
    licence_url, licence_name = catalogue.licence_of(organisation)
    return {
        "name": f"{datasets.scope_slug(organisation)}-{dataset.name}",
        "title": str(dataset.title), "description": str(dataset.description),
        "licenses": [{"name": "etalab-2.0" if "etalab" in licence_url else "ODbL-1.0", "path": licence_url,
                      "title": licence_name}],
        "resources": [{
            "name": dataset.name, "path": path or catalogue.download_url(published, organisation, "csv"),
            "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
            "schema": {"fields": [{"name": field.name, "type": field.type, "description": str(field.description)}
                                  for field in dataset.fields]},
        }],
    }


@require_safe
def catalogue_view(request, fmt: str):
    response = HttpResponse(catalogue.serialised(fmt), content_type=CATALOGUE_TYPES[fmt])
    response["Access-Control-Allow-Origin"] = "*"
    patch_cache_control(response, public=True, max_age=600)
    return response
