"""Signals of the shared participation services, for the kernel's own packages.

`comments_moved` is sent by `services.comments_move` (an update that Django's model signals do not see), so
that what counts comments (the submissions' counter) recounts the source and the target."""

from django.dispatch import Signal

# Sent with `source` and `target`, the items the comments left and joined, in the caller's transaction.
comments_moved = Signal()
