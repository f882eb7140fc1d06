"""Public pages of projects (owner: vote helper)."""
from django.http import Http404


def _todo(request, **kwargs):
    raise Http404


vote_home = ballot_edit = _todo
