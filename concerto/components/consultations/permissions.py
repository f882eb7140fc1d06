"""The named permissions of consultations (declared in the manifest, asked by name: pages, API, later
channels)."""

import rules

from concerto.core.accounts.permissions import has_any_role

READ_RESULTS = "consultations.read_results"  # the results: everyone when public, else the organisation's team


@rules.predicate
def results_are_public(user, component) -> bool:
    """COMPONENT (a consultations component; anything else, such as an organisation, is not) shows its
    results to everyone."""
    return bool(getattr(component, "kind", None) == "consultations" and component.published
                and component.space.is_published and component.setting("results_visibility") == "public")


PERMISSIONS = {READ_RESULTS: results_are_public | has_any_role}
