"""Who edits the guides: the Métropole's administrators (the guides are the Métropole's, for every commune)."""

import rules

from concerto.core.accounts.permissions import is_admin

MANAGE_GUIDES = "resources.manage_guides"


@rules.predicate
def is_the_metropole(user, obj) -> bool:
    return getattr(obj, "kind", None) == "metropole"


rules.add_perm(MANAGE_GUIDES, is_the_metropole & is_admin)
