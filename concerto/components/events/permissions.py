"""The named permissions of events (declared in the manifest, asked by name: pages, API, later channels)."""

from concerto.core.accounts.models import Role
from concerto.core.accounts.permissions import role_predicate

MODERATE_BOARD = "events.moderate_board"  # open or close an event's live board, hide or answer its posts

PERMISSIONS = {
    MODERATE_BOARD: role_predicate(MODERATE_BOARD, Role.Kind.ADMIN, Role.Kind.AGENT, Role.Kind.MODERATOR),
}
