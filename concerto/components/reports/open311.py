"""Open311 GeoReport v2 (owner: open311 helper)."""
from django.http import Http404


def _todo(request, **kwargs):
    raise Http404


discovery = service_list = service_definition = requests = request_detail = token_detail = _todo
