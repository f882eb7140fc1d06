"""Projects: submission, review, merge, ballot list, follow-up (owner: projects helper)."""


def export_projects(component) -> list[dict]:
    return []


def summary(component, request) -> str:
    return ""


def personal_data(user) -> dict:
    return {}


def erase_personal_data(user) -> None:
    return None
