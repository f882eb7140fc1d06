"""Public pages of events, agenda and feeds (owner: events helper)."""
from django.http import Http404


def _todo(request, **kwargs):
    raise Http404


event_list = event_points = event_detail = registration_create = registration_cancel = ticket = ticket_qr = _todo
event_ics = agenda = organisation_feed = user_feed = space_feed = _todo
