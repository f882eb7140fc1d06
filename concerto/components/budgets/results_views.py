"""Public pages of projects (owner: results helper)."""
from django.http import Http404


def _todo(request, **kwargs):
    raise Http404


results_home = budget_results = pabulib_export = _todo
