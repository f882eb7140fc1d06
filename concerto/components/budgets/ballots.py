"""Ballots: casting, changing, paper double entry (owner: vote helper)."""


def personal_data(user) -> dict:
    return {}


def erase_personal_data(user) -> None:
    return None
