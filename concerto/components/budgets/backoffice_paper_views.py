"""Back-office: paper ballots (owner: vote helper)."""
from django.http import Http404


def _todo(request, **kwargs):
    raise Http404


paper_entry = paper_mismatches = _todo
