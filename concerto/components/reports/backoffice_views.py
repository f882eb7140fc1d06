"""Back-office of reports (owner: agents helper)."""
from django.http import Http404


def _todo(request, **kwargs):
    raise Http404


queue = bulk_action = report_manage = report_merge = photo_hide = service_list = service_edit = _todo
category_list = category_edit = dashboard = dashboard_csv = api_keys = api_key_revoke = _todo
