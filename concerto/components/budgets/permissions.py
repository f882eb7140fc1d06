"""The named permissions of participatory budgets (declared in the manifest, asked by name everywhere:
pages, API, and later chat channels). Each is a `rules` predicate on the component (or its organisation)."""

from concerto.core.accounts.models import Role
from concerto.core.accounts.permissions import role_predicate

READ_REVIEW = "budgets.read_review"  # see projects under review, their evaluations, the CSV of projects
REVIEW = "budgets.review"  # evaluate projects, decide eligibility and merges
MANAGE = "budgets.manage"  # configure budgets, publish the ballot list, post the follow-up, paper ballots
DECIDE_PAPER = "budgets.decide_paper"  # a supervisor's third entry when two paper entries of a ballot differ

PERMISSIONS = {
    REVIEW: role_predicate(REVIEW, Role.Kind.ADMIN, Role.Kind.AGENT, Role.Kind.EVALUATOR),
    READ_REVIEW: role_predicate(READ_REVIEW, Role.Kind.ADMIN, Role.Kind.AGENT, Role.Kind.EVALUATOR,
                                Role.Kind.ELECTED),
    MANAGE: role_predicate(MANAGE, Role.Kind.ADMIN, Role.Kind.AGENT),
    DECIDE_PAPER: role_predicate(DECIDE_PAPER, Role.Kind.ADMIN),
}
