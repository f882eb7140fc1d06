"""Back-office: check-in, walk-ins, board moderation (owner: room helper)."""
from django.http import Http404


def _todo(request, **kwargs):
    raise Http404


checkin = walk_in = board_moderation = _todo
