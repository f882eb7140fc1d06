"""Back-office of projects (owner: projects helper)."""
from django.http import Http404


def _todo(request, **kwargs):
    raise Http404


project_list = budget_list = budget_edit = ballot_list = category_list = category_edit = category_delete = project_review = project_merge = project_followup = export_csv = _todo
