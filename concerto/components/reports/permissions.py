"""The named permissions of citizen reports (declared in the manifest, asked by name everywhere: pages,
API, and later chat channels). Each is a `rules` predicate on the component (or its organisation)."""

from concerto.core.accounts.models import Role
from concerto.core.accounts.permissions import role_predicate

READ_REPORTS = "reports.read_reports"  # the queue, a report's page, the dashboard and its CSV
HANDLE_REPORT = "reports.handle_report"  # status, assignment, answers, notes, merges, bulk actions
HIDE_PHOTO = "reports.hide_photo"  # hide a report's photo (moderators too)
MANAGE_API_KEYS = "reports.manage_api_keys"  # the Open311 keys of the component

PERMISSIONS = {
    READ_REPORTS: role_predicate(READ_REPORTS, Role.Kind.ADMIN, Role.Kind.AGENT, Role.Kind.ELECTED,
                                 Role.Kind.MODERATOR),
    HANDLE_REPORT: role_predicate(HANDLE_REPORT, Role.Kind.ADMIN, Role.Kind.AGENT),
    HIDE_PHOTO: role_predicate(HIDE_PHOTO, Role.Kind.ADMIN, Role.Kind.AGENT, Role.Kind.MODERATOR),
    MANAGE_API_KEYS: role_predicate(MANAGE_API_KEYS, Role.Kind.ADMIN),
}
