"""Back-office: results and import (owner: results helper)."""
from django.http import Http404


def _todo(request, **kwargs):
    raise Http404


result_detail = pabulib_import = _todo
