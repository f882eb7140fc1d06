"""Personal data of the opinions component (the manifest that will name these hooks comes with the pages)."""

from concerto.components.opinions.models import Statement, Vote


def personal_data(user) -> dict:
    return {
        "opinion_votes": [{"statement": vote.statement.text, "vote": vote.get_value_display(),
                           "voted_at": vote.voted_at.isoformat()}
                          for vote in Vote.objects.filter(user=user).select_related("statement")],
        "opinion_statements": [{"statement": statement.text, "created_at": statement.created_at.isoformat()}
                               for statement in Statement.objects.filter(author=user)],
    }


def erase_personal_data(user) -> None:
    """The votes stay in the groups under a key that no longer names the account; statements stay, authorless."""
    Vote.objects.filter(user=user).update(user=None, participant=f"a{user.pk}-erased")
    Statement.objects.filter(author=user).update(author=None)
