"""Back-office: minutes, contributions from the room, figures (owner: minutes helper)."""
from django.http import Http404


def _todo(request, **kwargs):
    raise Http404


minutes_edit = room_contributions = figures = _todo
