"""The proposals component: what it tells the registry (URLs, settings, exports, figures, personal data)."""

from django.db.models import Count, Sum
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from concerto.components.proposals import open_datasets
from concerto.core.registry import (
    Action,
    ComponentManifest,
    Conversation,
    Deferred,
    IdeaSource,
    InputWindow,
    Linkable,
    NotificationKind,
    RoomEntry,
    Setting,
    register,
)

ORDER_CHOICES = (
    ("random", _("At random")),
    ("recent", _("Most recent")),
    ("supports", _("Most supported")),
    ("comments", _("Most commented")),
)


def _public_proposals(component):
    from concerto.components.proposals.models import Proposal

    return Proposal.objects.public().filter(component=component)


def export_rows(component):
    """Open data, one dict per public proposal of COMPONENT, oldest first, read in chunks.

    Nothing about the people: no author, no email, no supporter. Hidden proposals are left out."""
    from concerto.components.proposals.models import Proposal
    from concerto.core.participation.submissions.services import submission_export_row

    proposals = (
        _public_proposals(component)
        .select_related("category", "commune", "component__space__organisation")
        .order_by("created_at", "pk")
    )
    for proposal in proposals.iterator(chunk_size=500):
        yield submission_export_row(
            proposal, EXPORT_FIELDS, supports=proposal.support_count,
            answer_status=proposal.answer_status or Proposal.Answer.NONE.value, answer_text=proposal.answer_text,
            answered_at=proposal.answered_at.isoformat() if proposal.answered_at else "",
        )


def export_rows_job(*, component_id: int):
    """The rows of a big export, in the worker (`concerto.core.jobs.exports`)."""
    from concerto.core.spaces.models import Component

    return export_rows(Component.objects.select_related("space__organisation").get(pk=component_id))


def export_count(component) -> int:
    return _public_proposals(component).count()


def export_proposals(component) -> list[dict]:
    return list(export_rows(component))


EXPORT_FIELDS = open_datasets.FIELDS


def statistics(component) -> dict:
    figures = _public_proposals(component).aggregate(
        proposals=Count("pk"), supports=Sum("support_count"), comments=Sum("comment_count"))
    return {name: value or 0 for name, value in figures.items()}


def overview(components) -> list:
    """For the participation overview: the most supported proposals, and how many still await an answer."""
    from concerto.components.proposals.models import Proposal
    from concerto.core.charts import Chart

    public = Proposal.objects.public().filter(component__in=components)
    top = list(public.filter(support_count__gt=0).order_by("-support_count", "pk")[:10]
               .values_list("title", "support_count"))
    waiting = public.filter(answer_status="").count()
    return [Chart(gettext("Most supported proposals"), top, value_label=gettext("Supports"),
                  summary=ngettext("%(count)s proposal still awaits the commune's answer.",
                                   "%(count)s proposals still await the commune's answer.", waiting)
                  % {"count": waiting})]


def summary(component, request) -> str:
    from concerto.core.participation.submissions.services import submissions_summary

    count = _public_proposals(component).count()
    if count:
        counted = ngettext("%(count)s proposal.", "%(count)s proposals.", count) % {"count": count}
    else:
        counted = gettext("No proposal yet.")
    return submissions_summary(component, counted=counted, submit_until=gettext("Submit yours until %(date)s."),
                               submit=gettext("Submit yours."))


def personal_data(user) -> dict:
    from concerto.components.proposals.models import Proposal, Support

    return {
        "proposals": [
            {"title": proposal.title, "text": proposal.body, "created_at": proposal.created_at.isoformat(),
             "withdrawn_at": proposal.withdrawn_at.isoformat() if proposal.withdrawn_at else None,
             "latitude": proposal.latitude, "longitude": proposal.longitude,
             "space": proposal.component.space.title, "supports": proposal.support_count}
            for proposal in Proposal.objects.filter(author=user).select_related("component__space")
        ],
        "proposal_supports": [
            {"proposal": support.proposal.title, "created_at": support.created_at.isoformat()}
            for support in Support.objects.filter(user=user).select_related("proposal")
        ],
    }


def erase_personal_data(user) -> None:
    """Proposals stay (others supported and discussed them), without their author; supports stay, without
    their participant, so that counts and reached thresholds do not change after the fact."""
    from django.db import transaction

    from concerto.components.proposals.models import Proposal, Support
    from concerto.core.participation.models import Contribution

    with transaction.atomic():
        Proposal.objects.filter(author=user).update(author=None)
        Proposal.objects.filter(answered_by=user).update(answered_by=None)
        Support.objects.filter(user=user).update(user=None)
        Contribution.objects.filter(author=user, kind__startswith="proposals.").update(author=None)


def _room_form(component, data=None):
    from concerto.components.proposals.room import room_form

    return room_form(component, data)


def _room_record(**values):
    from concerto.components.proposals.room import room_proposal_record

    return room_proposal_record(**values)



# The component's audit actions in words, for the audit log page (concerto/core/audit/labels.py).
AUDIT_LABELS = {
    "proposals.assigned": _("Proposal assigned to an evaluator"),
    "proposals.proposal_merged": _("Proposals merged"),
    "proposals.proposal_answered": _("Proposal answered"),
    "proposals.proposal_created": _("Proposal submitted"),
    "proposals.proposal_updated": _("Proposal changed"),
    "proposals.proposal_withdrawn": _("Proposal withdrawn"),
    "proposals.support_added": _("Proposal supported"),
    "proposals.support_removed": _("Support withdrawn"),
}


def linkable_search(*, organisation_ids, query: str):
    """The public items of ORGANISATION_IDS matching QUERY that a decision may answer (core/accountability)."""
    from concerto.components.proposals.models import Proposal
    from concerto.core.accountability.linking import items_matching

    return items_matching(Proposal.objects.public(), organisation_field="component__space__organisation",
                          text_fields=("title", "text"),
                          organisation_ids=organisation_ids, query=query)


manifest = register(ComponentManifest(
    free_texts=Deferred("concerto.components.proposals.hooks.free_texts"),
    free_text_kinds=("proposals.proposal",),
    name="proposals",
    linkables=(Linkable("proposals.Proposal", _("Proposal"),
                        Deferred("concerto.components.proposals.manifest.linkable_search")),),
    url_segment="propositions",
    label=_("Proposals"),
    description=_("Residents submit ideas, support and discuss them; the collectivité answers each one "
                  "publicly."),
    public_urls="concerto.components.proposals.urls",
    backoffice_urls="concerto.components.proposals.backoffice_urls",
    api_router="concerto.components.proposals.api.router",
    actions=(
        Action("submit", _("Submit a proposal")),
        Action("support", _("Support a proposal")),
        Action("comment", _("Comment on a proposal")),
    ),
    settings=(
        Setting("comments_enabled", bool, True, label=_("Residents can comment on the proposals"),
                help_text=_("Signed-in people can write a comment under each proposal.")),
        Setting("proposals_per_page", int, 20, label=_("Proposals per page"),
                help_text=_("Between 5 and 100."), min_value=5, max_value=100),
        Setting("support_threshold", int, 0, label=_("Support threshold"),
                help_text=_("Number of supports a proposal needs to be examined; 0 for no threshold. "
                            "Each proposal shows its progress."), min_value=0, max_value=1_000_000),
        Setting("default_order", str, "random", label=_("Default order of the list"),
                help_text=_("At random gives every proposal the same chance to be read first."),
                choices=ORDER_CHOICES),
    ),
    step_settings=(
        Setting("submissions_open", bool, True, label=_("Residents can submit proposals during this step"),
                help_text=_("Untick to close submissions; proposals already submitted stay visible.")),
        Setting("supports_open", bool, True, label=_("Residents can support proposals during this step"),
                help_text=_("Untick to close supports; supports already given are kept.")),
        Setting("supports_per_participant", int, 0, label=_("Supports per participant"),
                help_text=_("How many proposals one person may support in this component; 0 for no limit."),
                min_value=0, max_value=1000),
        Setting("comments_open", bool, True, label=_("Comments are open during this step"),
                help_text=_("Untick to close the comments during this step; existing comments stay "
                            "visible.")),
    ),
    open_datasets=(open_datasets.DATASET,),
    exports={"proposals": export_proposals},
    statistics=statistics,
    overview=overview,
    synthesis=Deferred("concerto.components.proposals.synthesis.sections"),
    summary=summary,
    personal_data=personal_data,
    erase_personal_data=erase_personal_data,
    room_entry=RoomEntry(form=_room_form, record=_room_record, contribution_kind="proposals.proposal",
                         template="proposals/room_entry.html",
                         note=_("The proposals are anonymous: you only type them.")),
    idea_source=IdeaSource(candidates=Deferred("concerto.components.proposals.queries.idea_candidates"),
                           supporters=Deferred("concerto.components.proposals.queries.idea_supporters")),
    notifications=(
        NotificationKind("proposals.answered", _("The official answer to a proposal I submitted or follow"), fate=True),
        NotificationKind("proposals.merged", _("My proposal was merged with another one"), fate=True),
        NotificationKind("proposals.assigned", _("A proposal was given to me to examine"), channels=("site",)),
    ),
    input_windows=(
        InputWindow("submissions_open", _("Ideas can be submitted until %(date)s"), _("Ideas can be submitted")),
        InputWindow("supports_open", _("Supports open until %(date)s"), _("Supports open")),
    ),
    audit_labels=AUDIT_LABELS,
    conversation=Conversation(items=Deferred("concerto.components.proposals.chat.items"),
                              turn=Deferred("concerto.components.proposals.chat.turn")),
))
