"""The open datasets through the API, paged: the same rows as the portal's files (concerto/core/opendata)."""

from itertools import islice
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.pagination import paginate

from concerto.api.common import ErrorOut, Pagination, Slug, ValidationErrorOut
from concerto.core.opendata import catalogue, datasets, files
from concerto.core.territory.models import Organisation

router = Router(tags=["open data"])


class OpenDataFieldOut(Schema):
    name: str
    type: str
    description: str


class OpenDatasetOut(Schema):
    name: str
    title: str
    description: str
    located: bool
    frequency: str
    licence: str
    page: str
    fields: list[OpenDataFieldOut]
    downloads: dict[str, str]


def _scope(slug: str) -> Organisation | None:
    try:
        return datasets.scope_get(slug)
    except Organisation.DoesNotExist:
        raise Http404(_("No organisation has the slug “%(slug)s”.") % {"slug": slug}) from None


class _Rows:
    """The rows of a dataset as a sequence the pagination slices: its length is the written file's row count, a
    slice reads the rows up to its end (no more)."""

    def __init__(self, published, organisation):
        self.published, self.organisation = published, organisation
        self.count = files.file_get(published, organisation, "json").rows

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, window: slice) -> list[dict]:
        rows = datasets.rows(self.published, self.organisation)
        return [{name: files.plain(value) for name, value in row.items()}
                for row in islice(rows, window.start, window.stop)]


@router.get("/donnees/{scope}", response={200: list[OpenDatasetOut], 404: ErrorOut, 422: ValidationErrorOut},
            summary="The open datasets of an organisation")
def opendata_list(request, scope: Slug):
    """The datasets with something published in the organisation and those below it (`metropole`: all)."""
    organisation = _scope(scope)
    licence = catalogue.licence_of(organisation)[0]
    return [{"name": p.dataset.name, "title": str(p.dataset.title), "description": str(p.dataset.description),
             "located": p.dataset.located, "frequency": p.dataset.frequency, "licence": licence,
             "page": catalogue.dataset_url(p, organisation),
             "fields": [{"name": f.name, "type": f.type, "description": str(f.description)} for f in p.dataset.fields],
             "downloads": {fmt: catalogue.download_url(p, organisation, fmt) for fmt in files.formats(p.dataset)}}
            for p in datasets.scope_datasets(organisation)]


@router.get("/donnees/{scope}/{name}", response={200: list[dict[str, Any]], 404: ErrorOut, 422: ValidationErrorOut},
            summary="The rows of an open dataset, paged")
@paginate(Pagination)
def opendata_rows(request, scope: Slug, name: Slug):
    """The rows of the dataset NAME for the organisation, as in its JSON file, `limit` at a time from `offset`."""
    organisation = _scope(scope)
    published = next((p for p in datasets.scope_datasets(organisation) if p.dataset.name == name), None)
    if published is None:
        raise Http404(_("No open dataset has this name here."))
    return _Rows(published, organisation)
