"""Signals the kernel offers about spaces and what their components hold.

`item_published` is sent by a component's service when one of its items is published for the first time and
the public can read it (news: `post_publish`), inside the service's transaction, with `item` (the row: it has
`.organisation`, `.space`, `get_absolute_url()`, a `title`) and `summary` (one short sentence). Receivers that
send anything do it after the commit, through the task queue. The chat channels' news subscriptions listen to
it (concerto/channels/subscriptions.py), so that no component imports a channel and no channel a component."""

from django.dispatch import Signal

item_published = Signal()
# Sent by `space_publish` (with `space`), inside its transaction: the feeds (participation, a floor above spaces)
# record it there, so that spaces never import participation.
space_published = Signal()
