"""The citizen reports component ("Tell my city"): what it tells the registry. The functions it names live
with the part of the component they belong to (services.py, workflow.py)."""

from django.utils.translation import gettext_lazy as _

from concerto.components.reports import open_datasets
from concerto.components.reports.permissions import PERMISSIONS
from concerto.core.accounts.privacy import RetentionRule
from concerto.core.registry import (
    Action,
    ComponentManifest,
    Conversation,
    Deferred,
    InputWindow,
    Linkable,
    NotificationKind,
    PeriodicJob,
    Setting,
    register,
)

# The component's audit actions in words, for the audit log page (concerto/core/audit/labels.py).
AUDIT_LABELS = {
    "reports.photo_hidden": _("Report photo hidden"),
    "reports.photo_shown": _("Report photo shown again"),
    "reports.answered": _("Public answer to a report"),
    "reports.assigned": _("Report assigned"),
    "reports.category_created": _("Report category created"),
    "reports.category_updated": _("Report category changed"),
    "reports.merged": _("Reports merged"),
    "reports.note_added": _("Internal note added to a report"),
    "reports.open311_key_created": _("Open311 key created"),
    "reports.open311_key_revoked": _("Open311 key revoked"),
    "reports.question_created": _("Category question added"),
    "reports.question_deleted": _("Category question deleted"),
    "reports.report_created": _("Report sent"),
    "reports.service_created": _("Service created"),
    "reports.service_updated": _("Service changed"),
    "reports.status_changed": _("Report status changed"),
    "reports.support_added": _("Report confirmed by another resident"),
    "reports.reopened": _("Report reopened by its reporter"),
}


def linkable_search(*, organisation_ids, query: str):
    """The public items of ORGANISATION_IDS matching QUERY that a decision may answer (core/accountability)."""
    from concerto.components.reports.models import Report
    from concerto.core.accountability.linking import items_matching

    return items_matching(Report.objects.public(), organisation_field="organisation",
                          text_fields=("description", "address", "category__name"),
                          organisation_ids=organisation_ids, query=query)


manifest = register(ComponentManifest(
    free_texts=Deferred("concerto.components.reports.hooks.free_texts"),
    free_text_kinds=("reports.report",),
    name="reports",
    linkables=(Linkable("reports.Report", _("Report"),
                        Deferred("concerto.components.reports.manifest.linkable_search")),),
    permissions=PERMISSIONS,
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
        Setting("reopen_days", int, 30, label=_("Days during which the reporter can reopen a resolved report"),
                help_text=_("After that, the reporter is asked to send a new report."), min_value=0,
                max_value=365),
    ),
    open_datasets=(open_datasets.DATASET,),
    exports={"reports": Deferred("concerto.components.reports.services.export_reports")},
    statistics=Deferred("concerto.components.reports.workflow.statistics"),
    overview=Deferred("concerto.components.reports.dashboard.overview"),
    comparison=Deferred("concerto.components.reports.dashboard.comparison"),
    summary=Deferred("concerto.components.reports.services.summary"),
    personal_data=Deferred("concerto.components.reports.services.personal_data"),
    erase_personal_data=Deferred("concerto.components.reports.services.erase_personal_data"),
    retention=(RetentionRule(
        "report_contacts", _("Email addresses given to follow a report without an account"),
        _("the report's closing"), 365,
        _("Long enough to answer a question about the outcome or reopen the report"),
        Deferred("concerto.components.reports.retention.reporters_contacts_purge")),
        RetentionRule(
            "open311_keys", _("Open311 API keys that are no longer used (with who made them)"), _("their last use"),
            365, _("An unused access key is a risk and serves no purpose"),
            Deferred("concerto.components.reports.retention.open311_keys_purge"))),
    notifications=(
        NotificationKind("reports.status_changed",
                         _("Changes of status of a report I sent, support or follow"), fate=True),
        NotificationKind("reports.merged", _("Another resident reported the same problem as me"), fate=True),
        NotificationKind("reports.receipt", _("The receipt of each report I send"),
                         because=_("You get this email because you sent this report.")),
    ),
    input_windows=(InputWindow("", _("Reports open"), _("Reports open")),),
    audit_labels=AUDIT_LABELS,
    # Report a problem in a chat: category, description, photo, place (concerto/components/reports/chat.py).
    conversation=Conversation(items=Deferred("concerto.components.reports.chat.items"),
                              turn=Deferred("concerto.components.reports.chat.turn"), attachments=True),
    periodic=(PeriodicJob("reports.chat_photos_purge", 3600,
                          Deferred("concerto.components.reports.chat.pending_photos_purge")),),
))
