"""The participatory budgets component: what it tells the registry (URLs, settings, exports, figures, personal
data). The functions it names live with the part of the component they belong to."""

from django.utils.translation import gettext_lazy as _

from concerto.components.budgets import open_datasets, open_votes
from concerto.components.budgets.permissions import PERMISSIONS
from concerto.core.accounts.privacy import RetentionRule
from concerto.core.registry import (
    Action,
    ComponentManifest,
    Conversation,
    Deferred,
    InputWindow,
    Linkable,
    NotificationKind,
    Setting,
    register,
)


def personal_data(user) -> dict:
    from concerto.components.budgets import ballots, services

    return {**services.personal_data(user), **ballots.personal_data(user)}


def erase_personal_data(user) -> None:
    from concerto.components.budgets import ballots, services

    services.erase_personal_data(user)
    ballots.erase_personal_data(user)



# The component's audit actions in words, for the audit log page (concerto/core/audit/labels.py).
AUDIT_LABELS = {
    "budgets.project_from_idea": _("Idea turned into a project"),
    "budgets.ballot_list_published": _("List of projects put to the vote published"),
    "budgets.ballot_list_set": _("List of projects put to the vote changed"),
    "budgets.ballot_list_unpublished": _("List of projects put to the vote unpublished"),
    "budgets.budget_created": _("Budget created"),
    "budgets.budget_updated": _("Budget changed"),
    "budgets.count_failed": _("Count failed"),
    "budgets.count_requested": _("Count requested"),
    "budgets.demo_loaded": _("Demonstration data loaded"),
    "budgets.pabulib_imported": _("Pabulib file imported"),
    "budgets.paper_decided": _("Paper ballot settled by a third entry"),
    "budgets.paper_entered": _("Paper ballot entered"),
    "budgets.progress_updated": _("Project progress updated"),  # before issue 16; now "action.progress_added"
    "budgets.project_created": _("Project created"),
    "budgets.project_evaluated": _("Project assessed"),
    "budgets.project_merged": _("Projects merged"),
    "budgets.project_updated": _("Project changed"),
    "budgets.project_withdrawn": _("Project withdrawn"),
    "budgets.result_computed": _("Results computed"),
    "budgets.result_published": _("Results published"),
    "budgets.result_unpublished": _("Results unpublished"),
}


def linkable_search(*, organisation_ids, query: str):
    """The public items of ORGANISATION_IDS matching QUERY that a decision may answer (core/accountability)."""
    from concerto.components.budgets.models import Project
    from concerto.core.accountability.linking import items_matching

    return items_matching(Project.objects.public(), organisation_field="component__space__organisation",
                          text_fields=("title", "text"),
                          organisation_ids=organisation_ids, query=query)


manifest = register(ComponentManifest(
    free_texts=Deferred("concerto.components.budgets.hooks.free_texts"),
    free_text_kinds=("budgets.project",),
    name="budgets",
    linkables=(Linkable("budgets.Project", _("Budget project"),
                        Deferred("concerto.components.budgets.manifest.linkable_search")),),
    permissions=PERMISSIONS,
    url_segment="budget-participatif",
    label=_("Participatory budget"),
    description=_("Residents submit projects, the services review them, residents vote, and everyone can "
                  "recount the results and follow the winning projects."),
    public_urls="concerto.components.budgets.urls",
    backoffice_urls="concerto.components.budgets.backoffice_urls",
    api_router="concerto.components.budgets.api.router",
    # Voting is not among them: it has its own setting ("vote_requires_verification", on by default), as
    # paper ballots and the minimum age depend on it.
    actions=(
        Action("submit", _("Submit a project")),
        Action("comment", _("Comment on a project")),
    ),
    settings=(
        Setting("comments_enabled", bool, True, label=_("Residents can comment on the projects"),
                help_text=_("Signed-in people can write a comment under each project.")),
        Setting("projects_per_page", int, 20, label=_("Projects per page"),
                help_text=_("Between 5 and 100."), min_value=5, max_value=100),
        Setting("vote_requires_verification", bool, True, label=_("Only verified residents can vote"),
                help_text=_("Residents prove where they live by the census list, a code, or at a desk. "
                                    "Paper ballots need it: it is how a sheet meets its voter's online ballot.")),
        Setting("minimum_age", int, 0, label=_("Minimum age to vote"),
                help_text=_("0 for no minimum age."), min_value=0, max_value=25),
    ),
    step_settings=(
        Setting("submissions_open", bool, False, label=_("Residents can submit projects during this step")),
        Setting("voting_open", bool, False, label=_("Residents can vote during this step"),
                help_text=_("Voters can change their ballot until the step ends.")),
        Setting("comments_open", bool, True, label=_("Comments are open during this step")),
    ),
    open_datasets=(open_datasets.DATASET, open_votes.DATASET),
    exports={"projects": Deferred("concerto.components.budgets.services.export_projects"),
             "results": Deferred("concerto.components.budgets.results.export_results")},
    statistics=Deferred("concerto.components.budgets.results.statistics"),
    synthesis=Deferred("concerto.components.budgets.synthesis.sections"),

    comparison=Deferred("concerto.components.budgets.results.comparison"),
    summary=Deferred("concerto.components.budgets.services.summary"),
    personal_data=personal_data,
    erase_personal_data=erase_personal_data,
    metrics=Deferred("concerto.components.budgets.metrics.metrics"),
    retention=(RetentionRule(
        "ballot_voter_keys", _("Who cast each ballot (the hashed identity or the account), once the results are "
                               "out; the ballots themselves stay, anonymous, so that anyone can recount them"),
        _("the publication of the results"), 90,
        _("Needed to allow one ballot per person and to answer an appeal against the results (two months)"),
        Deferred("concerto.components.budgets.retention.ballot_voter_keys_purge")),),
    notifications=(
        NotificationKind("budgets.project_answered", _("The review of a project I submitted or follow"), fate=True),
        NotificationKind("budgets.project_merged",
                         _("A project I submitted or follow is merged into another"), fate=True),
        NotificationKind("budgets.project_on_ballot", _("My project is put to the vote"), fate=True),
        NotificationKind("budgets.project_from_idea",
                         _("My idea became a project of the participatory budget"), fate=True),
        NotificationKind("budgets.result_published", _("The results of a participatory budget I follow")),
    ),
    input_windows=(
        InputWindow("voting_open", _("Vote open until %(date)s"), _("Vote open")),
        InputWindow("submissions_open", _("Projects can be submitted until %(date)s"),
                    _("Projects can be submitted")),
    ),
    audit_labels=AUDIT_LABELS,
    conversation=Conversation(items=Deferred("concerto.components.budgets.chat.items"),
                              turn=Deferred("concerto.components.budgets.chat.turn")),
))
