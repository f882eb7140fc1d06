"""What the opinions component tells the rest of Concerto through its manifest: personal data, figures."""

from django.utils.translation import gettext

from concerto.components.opinions.models import Conversation, Statement, Vote


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


def _published(component):
    return Conversation.objects.filter(component=component, published_at__isnull=False)


def statistics(component) -> dict:
    conversations = _published(component)
    return {"conversations": conversations.count(),
            "votes": Vote.objects.filter(statement__conversation__in=conversations).count()}


def summary(component, request) -> str:
    from django.db.models import Q
    from django.utils import timezone
    from django.utils.translation import ngettext

    now = timezone.now()
    open_count = _published(component).filter(opens_at__lte=now).filter(
        Q(closes_at__isnull=True) | Q(closes_at__gt=now)).count()
    if not open_count:
        return gettext("No debate open.")
    return ngettext("%(count)s debate open.", "%(count)s debates open.", open_count) % {"count": open_count}
