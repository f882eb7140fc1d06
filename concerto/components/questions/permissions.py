"""Named permissions of questions to elected officials (declared in the manifest, asked by name)."""

from concerto.core.accounts.models import Role
from concerto.core.accounts.permissions import role_predicate

# Write an answer: agents and administrators answer any question of their commune; an elected official only
# the questions assigned to them (services.answer_refusal checks the assignment).
ANSWER = "questions.answer"

PERMISSIONS = {
    ANSWER: role_predicate(ANSWER, Role.Kind.ADMIN, Role.Kind.AGENT, Role.Kind.ELECTED),
}
