"""Public pages of reports (owner: reporting helper)."""
from django.http import Http404


def _todo(request, **kwargs):
    raise Http404


report_map = report_list = report_points = report_create = category_questions = nearby_reports = _todo
report_detail = report_support = report_follow = _todo
