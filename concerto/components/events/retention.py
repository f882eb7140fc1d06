"""How long events keep what people wrote when registering (the manifest's `retention`)."""

from concerto.components.events.models import Registration
from concerto.core.accounts.privacy import batched_purge


def registration_details_purge(cutoff, *, dry_run) -> int:
    """Erase the walk-ins' names and the answers to the registration questions of events that ended before
    CUTOFF; the registrations stay, for the event's figures (how many came, from which communes)."""
    past = Registration.objects.filter(event__ends_at__lt=cutoff).exclude(name="", answers={})
    return batched_purge(past, dry_run=dry_run, update={"name": "", "answers": {}})
