"""Bulk delivery, the kernel's one way (newsletters, campaigns): one row per recipient, read by keyset and claimed
one at a time with a conditional UPDATE in the transaction that sends.

- `keyset_ids(queryset, size)`: the rows' ids SIZE at a time, in order, by keyset (`pk > last`): memory stays
  flat whatever the number of rows, and no OFFSET rereads what was read.
- `claimed_send(queryset, pk, send)`: claims row PK (its `sent_at` set where it is still empty) and calls SEND
  in the same transaction. Two workers or a batch run twice send once (PostgreSQL's row lock makes the second
  UPDATE wait and match nothing); a SEND that raises rolls the claim back, so the row is tried again later. The
  window left: a worker killed after the transport took the message and before the commit sends it twice.
"""

from collections.abc import Callable, Iterator

from django.db import transaction
from django.utils import timezone


def keyset_ids(queryset, size: int) -> Iterator[list[int]]:
    """The ids of QUERYSET's rows, SIZE at a time, in order."""
    last = 0
    while True:
        ids = list(queryset.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:size])
        if not ids:
            return
        yield ids
        last = ids[-1]


def claimed_send(queryset, pk: int, send: Callable[[], bool]) -> bool:
    """Claim the row PK of QUERYSET (a model's rows with a `sent_at`) and run SEND in the claim's transaction.
    Returns what SEND returned, or False when the row was already claimed."""
    with transaction.atomic():
        if not queryset.filter(pk=pk, sent_at__isnull=True).update(sent_at=timezone.now()):
            return False
        return send()  # raises: the claim is rolled back
