"""Who may review projects, read the review and manage budgets (the views check these; the rules are here so
that the API and the pages agree)."""

from concerto.core.accounts.models import Role
from concerto.core.accounts.permissions import has_role

# Who reviews projects; elected officials read the review without changing it.
REVIEW_ROLES = (Role.Kind.ADMIN, Role.Kind.AGENT, Role.Kind.EVALUATOR)
REVIEW_READ_ROLES = (*REVIEW_ROLES, Role.Kind.ELECTED)
# Who configures budgets, publishes the list put to the vote and posts the follow-up.
MANAGER_ROLES = (Role.Kind.ADMIN, Role.Kind.AGENT)


def may_review(user, organisation) -> bool:
    return has_role(user, organisation, REVIEW_ROLES)


def may_read_review(user, organisation) -> bool:
    return has_role(user, organisation, REVIEW_READ_ROLES)


def may_manage(user, organisation) -> bool:
    return has_role(user, organisation, MANAGER_ROLES)
