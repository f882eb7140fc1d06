"""How long events keep what people wrote when registering, who posted and voted on a live board, and unused
calendar feed addresses (the manifest's `retention`)."""

from django.db.models import Q

from concerto.components.events.models import BoardPost, BoardVote, FeedToken, Registration
from concerto.core.accounts.privacy import batched_erase_keys, batched_purge


def registration_details_purge(cutoff, *, dry_run) -> int:
    """Erase the walk-ins' names and the answers to the registration questions of events that ended before
    CUTOFF; the registrations stay, for the event's figures (how many came, from which communes)."""
    past = Registration.objects.filter(event__ends_at__lt=cutoff).exclude(name="", answers={})
    return batched_purge(past, dry_run=dry_run, update={"name": "", "answers": {}})


def board_keys_purge(cutoff, *, dry_run) -> int:
    """Erase who posted and voted on the live boards of events that ended before CUTOFF: the keys (a hash
    of the session, or `user:<id>`) served only to limit posts and to count one vote per person during
    the event. Posts and vote counts stay; each key becomes `erased:<id>` (votes stay unique per post)."""
    votes = BoardVote.objects.filter(post__event__ends_at__lt=cutoff).exclude(voter_key__startswith="erased:")
    posts = BoardPost.objects.filter(event__ends_at__lt=cutoff).exclude(author_key__startswith="erased:")
    return (batched_erase_keys(votes, "voter_key", dry_run=dry_run)
            + batched_erase_keys(posts, "author_key", dry_run=dry_run))


def feed_tokens_purge(cutoff, *, dry_run) -> int:
    """Delete the calendar feed tokens not used since CUTOFF (never used: made before CUTOFF); the person
    gets a new address from the events page when they want one again."""
    unused = Q(last_used_at__lt=cutoff) | Q(last_used_at__isnull=True, created_at__lt=cutoff)
    return batched_purge(FeedToken.objects.filter(unused), dry_run=dry_run)
