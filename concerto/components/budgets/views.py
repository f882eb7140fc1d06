"""Public pages of projects (owner: projects helper)."""
from django.http import Http404


def _todo(request, **kwargs):
    raise Http404


project_list = project_points = project_create = project_detail = project_edit = project_withdraw = _todo
followup_list = _todo
