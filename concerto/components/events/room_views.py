"""The live board (owner: room helper)."""
from django.http import Http404


def _todo(request, **kwargs):
    raise Http404


board = board_posts = board_vote = projection = _todo
