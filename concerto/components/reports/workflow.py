"""The agents' side: routing, assignment, status workflow, merge, bulk actions, dashboard (owner: agents helper)."""


def statistics(component) -> dict:
    return {}
