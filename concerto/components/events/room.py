"""Check-in at the door and the live board (owner: room helper)."""


def personal_data(user) -> dict:
    return {}


def erase_personal_data(user) -> None:
    return None
