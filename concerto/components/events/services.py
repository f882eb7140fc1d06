"""Events and registrations (owner: events helper)."""


def export_events(component) -> list[dict]:
    return []


def summary(component, request) -> str:
    return ""


def personal_data(user) -> dict:
    return {}


def erase_personal_data(user) -> None:
    return None
