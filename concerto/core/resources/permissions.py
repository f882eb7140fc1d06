"""Who edits the guides: the Métropole's administrators (the guides are the Métropole's, for every commune); who hides
comments in the network of practice."""

import rules

from concerto.core.accounts.permissions import is_admin, is_moderator

MANAGE_GUIDES = "resources.manage_guides"


@rules.predicate
def is_the_metropole(user, obj) -> bool:
    return getattr(obj, "kind", None) == "metropole"


rules.add_perm(MANAGE_GUIDES, is_the_metropole & is_admin)

# Hiding a comment of the network of practice (agents of every organisation write there): the Métropole's
# administrators and moderators, checked on the Métropole.
MODERATE_NETWORK = "resources.moderate_network"
rules.add_perm(MODERATE_NETWORK, is_the_metropole & is_moderator)
