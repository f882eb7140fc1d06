"""Public minutes (owner: minutes helper)."""
from django.http import Http404


def _todo(request, **kwargs):
    raise Http404


minutes = _todo
