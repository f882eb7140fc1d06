"""The files of the portal: each dataset of each scope written once in CSV, JSON and (located data) GeoJSON, in one
pass over its rows, to temporary files then to the storage (memory flat at any size), with a SHA-256 ETag.

They are written by the clock's nightly job (`opendata.nightly`, `manage.py run_periodic`), and on the first
request of a file not written yet (the request writes it, then sends it)."""

import csv
import hashlib
import io
import json
import logging
import tempfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import FileSystemStorage
from django.db import transaction
from django.utils import timezone

from concerto.core import registry
from concerto.core.exports import cell_neutralise
from concerto.core.jobs.work import private_root
from concerto.core.opendata import datasets
from concerto.core.opendata.models import OpenDataFile
from concerto.core.territory.models import Organisation

logger = logging.getLogger("concerto.opendata")

CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json",
                 "geojson": "application/geo+json"}
MEDIA_TYPES = {"csv": "text/csv", "json": "application/json", "geojson": "application/geo+json"}
CATALOGUE_CACHE_KEY = "opendata.catalogue"


def catalogue_forget(**kwargs) -> None:
    """Drop the cached catalogue (a signal receiver: spaces, components and organisations changed)."""
    cache.delete(CATALOGUE_CACHE_KEY)


def storage() -> FileSystemStorage:
    """The files live beside the jobs' private files (not under /media/): the portal's view sends them, with
    their ETag."""
    return FileSystemStorage(location=private_root() / "opendata")


def formats(dataset: registry.OpenDataset) -> tuple[str, ...]:
    return ("csv", "json", "geojson") if dataset.located else ("csv", "json")


def plain(value):
    """VALUE as JSON writes it (dates as ISO text, decimals as numbers)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


class _Writers:
    """The open temporary files of one dataset, written side by side while the rows are read once."""

    def __init__(self, dataset: registry.OpenDataset):
        self.dataset = dataset
        self.names = [field.name for field in dataset.fields]
        self.raw = {fmt: tempfile.TemporaryFile("w+b") for fmt in formats(dataset)}
        self.files = {fmt: io.TextIOWrapper(raw, encoding="utf-8", newline="") for fmt, raw in self.raw.items()}
        self.csv = csv.writer(self.files["csv"])
        self.csv.writerow(self.names)
        self.files["json"].write("[")
        if "geojson" in self.files:
            self.files["geojson"].write('{"type": "FeatureCollection", "features": [')
        self.count = 0
        self.features = 0

    def add(self, row: dict) -> None:
        values = {name: plain(row.get(name)) for name in self.names}
        self.csv.writerow(["" if values[name] is None else cell_neutralise(values[name]) for name in self.names])
        self.files["json"].write(("," if self.count else "") + "\n" + json.dumps(values, ensure_ascii=False))
        self.count += 1
        geojson = self.files.get("geojson")
        located = values.get("latitude") not in (None, "") and values.get("longitude") not in (None, "")
        if geojson is not None and located:
            properties = {name: value for name, value in values.items() if name not in ("latitude", "longitude")}
            feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [
                float(values["longitude"]), float(values["latitude"])]}, "properties": properties}
            geojson.write(("," if self.features else "") + "\n" + json.dumps(feature, ensure_ascii=False))
            self.features += 1

    def close(self) -> None:
        self.files["json"].write("\n]\n")
        if "geojson" in self.files:
            self.files["geojson"].write("\n]}\n")
        for text in self.files.values():
            text.flush()
            text.detach()


def _digest(handle) -> str:
    handle.seek(0)
    sha = hashlib.sha256()
    for chunk in iter(lambda: handle.read(65536), b""):
        sha.update(chunk)
    handle.seek(0)
    return sha.hexdigest()[:32]


def generate(published: datasets.Published, organisation: Organisation | None) -> list[OpenDataFile]:
    """Write every file of PUBLISHED for the scope; returns their rows."""
    dataset = published.dataset
    writers = _Writers(dataset)
    try:
        for row in datasets.rows(published, organisation):
            writers.add(row)
        writers.close()
        now = timezone.now()
        store = storage()
        written = []
        for fmt, handle in writers.raw.items():
            etag = _digest(handle)
            name = f"{datasets.scope_slug(organisation)}/{dataset.name}.{fmt}"
            with transaction.atomic():
                if store.exists(name):
                    store.delete(name)
                path = store.save(name, File(handle, name=name))
                size = store.size(path)
                record, _created = OpenDataFile.objects.update_or_create(
                    dataset=dataset.name, organisation=organisation, format=fmt,
                    defaults={"path": path, "size": size, "rows": writers.count, "etag": etag, "generated_at": now})
            written.append(record)
    finally:
        for handle in writers.raw.values():
            handle.close()
    cache.delete(CATALOGUE_CACHE_KEY)
    return written


def file_get(published: datasets.Published, organisation: Organisation | None, fmt: str) -> OpenDataFile:
    """The file of PUBLISHED for the scope in FMT, written now if it was not yet."""
    record = OpenDataFile.objects.filter(dataset=published.dataset.name, organisation=organisation, format=fmt).first()
    if record is None or not storage().exists(record.path):
        generate(published, organisation)
        record = OpenDataFile.objects.get(dataset=published.dataset.name, organisation=organisation, format=fmt)
    return record


def scopes() -> list[Organisation | None]:
    """Every scope with a published space: the whole Métropole (its organisation, or None), then each organisation."""
    with_spaces = set(datasets.scope_components(None).values_list("space__organisation_id", flat=True))
    organisations = list(Organisation.objects.order_by("pk"))
    by_id = {organisation.pk: organisation for organisation in organisations}
    covered = set()
    for organisation_id in with_spaces:
        current = by_id.get(organisation_id)
        while current is not None:
            covered.add(current.pk)
            current = by_id.get(current.parent_id)
    metropole = next((o for o in organisations if o.kind == Organisation.Kind.METROPOLE and o.parent_id is None), None)
    return [metropole] + [by_id[pk] for pk in sorted(covered) if metropole is None or pk != metropole.pk]


def generate_all(now=None) -> int:
    """Write every file of every scope again (the nightly job); returns how many datasets it wrote."""
    done = 0
    for organisation in scopes():
        for published in datasets.scope_datasets(organisation):
            try:
                generate(published, organisation)
                done += 1
            except Exception:
                logger.exception("Open dataset %s of %s could not be written.", published.dataset.name,
                                 datasets.scope_slug(organisation))
    return done


NIGHTLY = registry.PeriodicJob(name="opendata.nightly", every=24 * 3600, run=generate_all)


def path_of(record: OpenDataFile) -> Path:
    return Path(storage().path(record.path))
