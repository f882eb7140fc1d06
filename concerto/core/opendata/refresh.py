"""Files written again when their data changes, a few minutes later, by the worker.

A dataset names its SOURCES (OpenDataset.sources: "proposals.Proposal"...). When a row of a source is saved or
deleted, once the transaction commits, each scope that covers the row's organisation (the organisation, those above it,
the whole Métropole) gets an OpenDataRefresh row for the dataset, due a few minutes later; a row already waiting is
left as it is, so a burst of changes costs one writing, and there is never more than one waiting per dataset × scope
(a unique constraint). The clock (`opendata.refresh`, every minute) hands the due rows to the task worker; the task
deletes its row, then writes the files, so that a change made while it writes marks the dataset again. Nothing is
written inside a request, and a scope whose files were never asked for is left to its first download.
"""

import logging
from datetime import timedelta
from functools import cache

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from concerto.core import registry
from concerto.core.opendata import datasets, files
from concerto.core.opendata.models import OpenDataFile, OpenDataRefresh
from concerto.core.territory.models import Organisation

logger = logging.getLogger("concerto.opendata")

# A row handed to the worker this long ago and still there: the task was lost (a worker restarted), hand it again.
LOST_AFTER = timedelta(hours=1)
BATCH = 200


@cache
def watched() -> dict[str, tuple[str, ...]]:
    """Model label -> the names of the datasets it is a source of (read once, after every manifest is loaded)."""
    found: dict[str, list[str]] = {}
    for published in datasets.all_datasets():
        for label in published.dataset.sources:
            found.setdefault(label, []).append(published.dataset.name)
    return {label: tuple(names) for label, names in found.items()}


def organisation_id_of(instance, depth: int = 0) -> int | None:
    """The organisation INSTANCE belongs to: its own `organisation`, else that of the first row it points to that
    has one (a support's proposal, a result's budget), two steps at most. None when there is none."""
    found = getattr(instance, "organisation_id", None)
    if found:
        return found
    try:
        organisation = getattr(instance, "organisation", None)
    except (ObjectDoesNotExist, AttributeError):
        organisation = None
    if isinstance(organisation, Organisation):
        return organisation.pk
    if depth >= 2:
        return None
    for field in instance._meta.concrete_fields:
        if not field.many_to_one or field.related_model._meta.label == settings.AUTH_USER_MODEL:
            continue
        try:
            parent = getattr(instance, field.name)
        except ObjectDoesNotExist:
            continue
        found = organisation_id_of(parent, depth + 1) if parent is not None else None
        if found:
            return found
    return None


def changed(sender, instance, raw=False, **kwargs) -> None:
    """A signal receiver (post_save, post_delete of every model): a source of datasets changed."""
    names = watched().get(sender._meta.label) if not raw else None
    if not names:
        return
    # Read now: after a deletion commits, the rows it pointed to may be gone too.
    organisation_id = organisation_id_of(instance)
    if organisation_id is not None:
        transaction.on_commit(lambda: mark(names, organisation_id))


def scopes_of(organisation_id: int) -> list[int | None]:
    """The scopes that cover ORGANISATION_ID: it, the organisations above it, and the whole Métropole (None when the
    Métropole has no organisation of its own, as files.scopes() does)."""
    chain: list[int | None] = []
    current = Organisation.objects.filter(pk=organisation_id).values("pk", "parent_id", "kind").first()
    while current is not None and current["pk"] not in chain:
        chain.append(current["pk"])
        root = current
        current = (Organisation.objects.filter(pk=current["parent_id"]).values("pk", "parent_id", "kind").first()
                   if current["parent_id"] else None)
    if chain and not (root["parent_id"] is None and root["kind"] == Organisation.Kind.METROPOLE):
        chain.append(None)
    return chain


def mark(names, organisation_id: int, *, now=None) -> int:
    """The datasets NAMES of every scope covering ORGANISATION_ID are to be written again; returns how many rows it
    added (none for a dataset × scope already waiting)."""
    now = now or timezone.now()
    scopes = scopes_of(organisation_id)
    if not scopes:
        return 0
    ids = [scope for scope in scopes if scope is not None]
    waiting = set(OpenDataRefresh.objects.filter(dataset__in=names).filter(
        Q(organisation_id__in=ids) | Q(organisation__isnull=True)).values_list("dataset", "organisation_id"))
    delay = timedelta(seconds=settings.CONCERTO_OPENDATA_REFRESH_SECONDS)
    wide = timedelta(seconds=settings.CONCERTO_OPENDATA_REFRESH_WIDE_SECONDS)
    new = [OpenDataRefresh(dataset=name, organisation_id=scope, due_at=now + (delay if scope == organisation_id
                                                                              else wide))
           for name in names for scope in scopes if (name, scope) not in waiting]
    # Two requests may add the same row at once: the unique constraints keep one.
    OpenDataRefresh.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def refresh_due(now) -> int:
    """The clock's job: hand each due row to the worker (once; again if the worker lost it). Returns how many."""
    rows = (OpenDataRefresh.objects.filter(due_at__lte=now)
            .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - LOST_AFTER))
            .order_by("due_at").values_list("pk", "enqueued_at")[:BATCH])
    handed = 0
    for pk, enqueued_at in rows:
        # Claimed by a conditional update: two clocks never hand the same row twice.
        if OpenDataRefresh.objects.filter(pk=pk, enqueued_at=enqueued_at).update(enqueued_at=now):
            dataset_refresh.enqueue(pk)
            handed += 1
    return handed


REFRESH = registry.PeriodicJob(name="opendata.refresh", every=60, run=refresh_due)


@task()
def dataset_refresh(refresh_id: int) -> int:
    """Write again the files of the dataset × scope of the OpenDataRefresh REFRESH_ID; returns how many files."""
    row = OpenDataRefresh.objects.filter(pk=refresh_id).select_related("organisation").first()
    if row is None:
        return 0
    row.delete()  # first: a change made while the files are written marks the dataset again
    organisation = row.organisation
    if row.organisation_id is None and files.scopes()[0] is not None:
        return 0  # the Métropole has an organisation now: its scope is that organisation's
    published = next((p for p in datasets.scope_datasets(organisation) if p.dataset.name == row.dataset), None)
    if published is None or not OpenDataFile.objects.filter(dataset=row.dataset, organisation=organisation).exists():
        return 0
    return len(files.generate(published, organisation))
