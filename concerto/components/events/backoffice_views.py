"""Back-office of events and registrations (owner: events helper)."""
from django.http import Http404


def _todo(request, **kwargs):
    raise Http404


event_list = event_create = event_edit = event_cancel = registration_list = registration_export = _todo
