"""The citizen reports component ("Tell my city"): what it tells the registry. The functions it names live
with the part of the component they belong to (services.py, workflow.py)."""

from django.utils.translation import gettext_lazy as _

from concerto.components.reports.permissions import PERMISSIONS, READ_REPORTS
from concerto.core.registry import Action, ComponentManifest, NotificationKind, Setting, register


def export_reports(component) -> list[dict]:
    from concerto.components.reports import services

    return services.export_reports(component)


def statistics(component) -> dict:
    from concerto.components.reports import workflow

    return workflow.statistics(component)


def summary(component, request) -> str:
    from concerto.components.reports import services

    return services.summary(component, request)


def personal_data(user) -> dict:
    from concerto.components.reports import services

    return services.personal_data(user)


def erase_personal_data(user) -> None:
    from concerto.components.reports import services

    services.erase_personal_data(user)


manifest = register(ComponentManifest(
    name="reports",
    permissions=PERMISSIONS,
    backoffice_permission=READ_REPORTS,
    url_segment="signalements",
    label=_("Citizen reports"),
    description=_("Residents report a malfunction, congratulate a service or propose an action on a map; the "
                  "right service handles it and everyone follows what became of it."),
    public_urls="concerto.components.reports.urls",
    backoffice_urls="concerto.components.reports.backoffice_urls",
    site_urls=(("signalements/", "concerto.components.reports.site_urls"),
               ("open311/v2/", "concerto.components.reports.open311_urls")),
    api_router="concerto.components.reports.api.router",
    actions=(
        Action("report", _("Send a report")),
        Action("support", _("Say “me too” on a report")),
    ),
    settings=(
        Setting("anonymous_reports", bool, True, label=_("People without an account can report"),
                help_text=_("They give an email address to follow their report.")),
        Setting("kinds", str, "all", label=_("What residents can send"),
                choices=(("all", _("Malfunctions, congratulations and proposals")),
                         ("malfunction", _("Malfunctions only")))),
    ),
    exports={"reports": export_reports},
    statistics=statistics,
    summary=summary,
    personal_data=personal_data,
    erase_personal_data=erase_personal_data,
    notifications=(
        NotificationKind("reports.status_changed", _("Changes of status of a report I sent, support or follow")),
        NotificationKind("reports.merged", _("Another resident reported the same problem as me")),
    ),
))
