"""Write actions on the projects of participatory budgets, one module per concern:

- common: the refusal the services raise (ProjectError), limits, amounts in whole euros, notifying people;
- permissions: who reviews projects, reads the review, manages budgets;
- envelopes: budgets (envelopes) and their figures;
- projects: categories, and projects as their authors submit, edit and withdraw them;
- review: evaluations and merges;
- ballot_list: the list of projects put to the vote;
- follow_up: the follow-up of winning projects, as their own actions in the kernel's decisions and actions;
- open_data: open data, the space page's summary, personal data.

The public pages, the back-office and the API call these same functions, through this package
(`from concerto.components.budgets import services`; `services.project_create(...)`). Each one writes an
audit entry; notifications are rows written in the same transaction, whose emails leave after commit (see
participation.services.notification_send), so a rolled-back change tells nobody anything.
Ballots are in ballots.py, results in results.py.
"""

from concerto.components.budgets.services.ballot_list import (
    ballot_candidates,
    ballot_list_blocker,
    ballot_list_publish,
    ballot_list_set,
    ballot_list_unpublish,
)
from concerto.components.budgets.services.common import (
    ANSWER_MAX_LENGTH,
    KIND,
    MAX_EUROS,
    NOTES_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    ProjectError,
)
from concerto.components.budgets.services.envelopes import (
    VOTING_FIELDS,
    budget_change_blocker,
    budget_create,
    budget_figures,
    budget_update,
)
from concerto.components.budgets.services.follow_up import (
    MAX_PHOTOS_PER_UPDATE,
    follow_up_open,
    progress_update_create,
    project_action,
    project_actions,
    winners_follow_up_open,
)
from concerto.components.budgets.services.ideas import ideas_eligible, project_source, projects_from_ideas
from concerto.components.budgets.services.open_data import (
    EXPORT_FIELDS,
    erase_personal_data,
    export_count,
    export_projects,
    export_rows,
    personal_data,
    summary,
)
from concerto.components.budgets.services.permissions import (
    MANAGER_ROLES,
    REVIEW_READ_ROLES,
    REVIEW_ROLES,
    may_manage,
    may_read_review,
    may_review,
)
from concerto.components.budgets.services.projects import (
    EDITABLE_FIELDS,
    category_create,
    category_delete,
    category_update,
    edit_blocker,
    project_create,
    project_update,
    project_withdraw,
    submission_refusal,
)
from concerto.components.budgets.services.review import project_evaluate, project_merge

__all__ = [
    "ANSWER_MAX_LENGTH", "EDITABLE_FIELDS", "EXPORT_FIELDS", "KIND", "MANAGER_ROLES", "MAX_EUROS",
    "MAX_PHOTOS_PER_UPDATE", "NOTES_MAX_LENGTH", "REVIEW_READ_ROLES", "REVIEW_ROLES", "TEXT_MAX_LENGTH",
    "TITLE_MAX_LENGTH", "VOTING_FIELDS", "ProjectError", "ballot_candidates", "ballot_list_blocker",
    "ballot_list_publish", "ballot_list_set", "ballot_list_unpublish", "follow_up_open", "project_action",
    "project_actions", "budget_change_blocker", "budget_create",
    "budget_figures", "budget_update", "category_create", "category_delete", "category_update", "edit_blocker",
    "erase_personal_data", "export_count", "export_projects",
    "ideas_eligible", "project_source", "projects_from_ideas", "export_rows", "may_manage", "may_read_review",
    "may_review",
    "personal_data", "progress_update_create", "project_create", "project_evaluate", "project_merge",
    "project_update", "project_withdraw", "submission_refusal", "summary", "winners_follow_up_open",
]
