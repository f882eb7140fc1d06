"""Signals of the shared participation services.

`comments_moved` is sent by `services.comments_move` (an update that Django's model signals do not see), so
that what counts comments (the submissions' counter) recounts the source and the target."""

from django.dispatch import Signal

# Sent with `source` and `target`, the items the comments left and joined, in the caller's transaction.
comments_moved = Signal()

# Sent by the moderation services with `content`, `moderator` and `decision` ("hidden", "restored" or "kept"),
# in the caller's transaction: a component that holds content back until a moderator looked at it (questions
# to elected officials) publishes it when it is kept.
content_moderated = Signal()
