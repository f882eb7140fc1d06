"""The manifest's hooks: open data, figures, the space page's sentence, personal data."""

from django.utils.translation import gettext, ngettext

from concerto.components.polls.models import Answer, Poll
from concerto.components.polls.services import poll_results
from concerto.core.participation.digests import digest_lines


def export_polls(component) -> list[dict]:
    """Open data: each public poll with the number of answers of each choice (nothing about who answered)."""
    rows = []
    for poll in Poll.objects.public().filter(component=component).order_by("opens_at", "pk"):
        results = poll_results(poll)
        rows.append({"id": poll.pk, "question": poll.question, "multiple": poll.multiple,
                     "opens_at": poll.opens_at.isoformat(), "closes_at": poll.closes_at.isoformat()
                     if poll.closes_at else None, "target": poll.target_label, "answers": results["total"],
                     "results": "; ".join(f"{row['label']}: {row['count']}" for row in results["choices"])
                     if poll.results_shown(answered=False) else "", "url": poll.get_absolute_url()})
    return rows


def statistics(component) -> dict:
    polls = Poll.objects.public().filter(component=component)
    return {"polls": polls.count(), "answers": Answer.objects.filter(poll__in=polls).count()}


def summary(component, request) -> str:
    open_count = Poll.objects.open().filter(component=component).count()
    if not open_count:
        return gettext("No quick poll open.")
    return ngettext("%(count)s quick poll open.", "%(count)s quick polls open.", open_count) % {"count": open_count}


def personal_data(user) -> dict:
    return {"poll_answers": [
        {"poll": answer.poll.question, "choices": [choice.label for choice in answer.choices.all()],
         "why": answer.why, "channel": answer.channel, "created_at": answer.created_at.isoformat()}
        for answer in Answer.objects.filter(user=user).select_related("poll").prefetch_related("choices")]}


def erase_personal_data(user) -> None:
    """The answers stay in the results, without their author nor their "why" (it may say who wrote it)."""
    Answer.objects.filter(user=user).update(user=None, why="", identity_hash="")


def digest_section(people) -> dict:
    """For the email digests of PEOPLE, (user, since) pairs: {user id: the polls opened since SINCE that they may
    answer and have not (`Poll.objects.open_for`), the newest ten}. A poll is announced once, not in every digest
    while it stays open. A few queries for the whole batch: the open polls, the people's communes, their answers."""
    from concerto.components.polls.eligibility import communes_of

    if not people:
        return {}
    earliest = min(since for _user, since in people)
    polls = list(Poll.objects.open().filter(opens_at__gt=earliest)
                 .select_related("component__space__organisation", "target_organisation")
                 .order_by("-opens_at", "-pk"))
    if not polls:
        return {}
    communes = communes_of([user for user, _since in people])
    answered = set(Answer.objects.filter(poll__in=polls, user_id__in=list(communes))
                   .values_list("user_id", "poll_id"))
    above = {}  # commune id -> the ids of it and its ancestors

    def within(user):
        commune = communes.get(user.pk)
        if commune is not None and commune.pk not in above:
            above[commune.pk] = {commune.pk, *(org.pk for org in commune.ancestors())}
        return above[commune.pk] if commune is not None else set()

    def concerns(user, since, poll):
        if poll.opens_at <= since or (user.pk, poll.pk) in answered:
            return False
        target = poll.target_organisation_id or poll.component.space.organisation_id
        return target in within(user)

    return digest_lines(people, polls, concerns=concerns,
                        line=lambda poll: (poll.question, poll.get_absolute_url(), poll.target_label))


def dialogue(components) -> list:
    """The commune's dialogue figures (kernel hook `dialogue`): answers to the public quick polls of COMPONENTS by
    channel (website, API, chat...)."""
    from django.db.models import Count

    from concerto.core.charts import Chart
    from concerto.core.participation.models import Channel

    names = dict(Channel.choices)
    answers = Answer.objects.filter(poll__in=Poll.objects.public().filter(component__in=components))
    rows = [(str(names.get(channel, channel)), n) for channel, n in
            answers.values_list("channel").annotate(n=Count("pk")).order_by("-n", "channel")]
    return [Chart(gettext("Quick poll answers by channel"), rows, value_label=gettext("Answers"),
                  summary=gettext("Where people answered the published quick polls: website, API, chat."))]


def newsletter_blocks(organisation) -> list[tuple[str, str, str]]:
    """For a newsletter of ORGANISATION: the open polls that concern it (its own, and those of its territory or
    the Métropole aimed at it), the newest first."""
    polls = Poll.objects.open().concerning(organisation).select_related("component__space__organisation")
    return [(poll.question, poll.get_absolute_url(), poll.target_label) for poll in polls.order_by("-opens_at")[:10]]
