"""Reporting: submission, photos, "me too", follow, public data (owner: reporting helper)."""


def export_reports(component) -> list[dict]:
    return []


def summary(component, request) -> str:
    return ""


def personal_data(user) -> dict:
    return {}


def erase_personal_data(user) -> None:
    return None
