"""The manifest's hook for the person's email digest."""

from django.db.models import Q
from django.utils.text import Truncator

from concerto.components.questions.models import Question
from concerto.core.participation.digests import digest_lines


def digest_section(people) -> dict:
    """For the email digests of PEOPLE, (user, since) pairs: {user id: the public answers, since SINCE, to the
    questions they asked or supported (`Question.objects.answers_for`), the newest ten}. Two queries for the
    whole batch."""
    from concerto.components.questions.models import QuestionSupport

    people = [(user, since) for user, since in people if user is not None and user.is_authenticated]
    if not people:
        return {}
    ids = [user.pk for user, _since in people]
    answers = list(Question.objects.public().answered()
                   .filter(answered_at__gte=min(since for _user, since in people))
                   .filter(Q(author_id__in=ids) | Q(supports__user_id__in=ids)).distinct()
                   .select_related("component__space__organisation").order_by("-answered_at", "-pk"))
    if not answers:
        return {}
    concerned = set(QuestionSupport.objects.filter(question__in=answers, user_id__in=ids)
                    .values_list("user_id", "question_id"))
    concerned |= {(question.author_id, question.pk) for question in answers}
    return digest_lines(people, answers,
                        concerns=lambda user, since, question: (question.answered_at >= since
                                                                and (user.pk, question.pk) in concerned),
                        line=lambda question: (question.title, question.get_absolute_url(),
                                               Truncator(question.answer_text).chars(300)))


def dialogue(components) -> list:
    """The commune's dialogue figures (kernel hook `dialogue`): the public questions of COMPONENTS asked, answered,
    answered late, waiting for the committed answer, and the median time to answer."""
    from django.db.models import F
    from django.utils.translation import gettext

    from concerto.components.questions.figures import figures
    from concerto.core.charts import Chart

    questions = Question.objects.public().filter(component__in=components)
    numbers = figures(questions)
    late = questions.filter(answered_at__isnull=False, due_at__lt=F("answered_at")).count()
    charts = [Chart(gettext("Questions to the elected officials"), [
        (gettext("Questions asked"), numbers["asked"]), (gettext("Questions answered"), numbers["answered"]),
        (gettext("Answered after the deadline"), late),
        (gettext("Waiting for the committed answer"), numbers["waiting"]),
    ], value_label=gettext("Questions"), summary=gettext(
        "Published questions; the commune commits to answer those that reach the supports threshold."))]
    if numbers["median_days"] is not None:
        charts.append(Chart(gettext("Median answer time"), [(gettext("Median"), numbers["median_days"])],
                            unit=gettext("days"), value_label=gettext("Days"),
                            summary=gettext("From the publication of a question to its answer: half of the "
                                            "answered questions took less time.")))
    return charts


def comparison(*, groups, since, until) -> dict:
    """The comparison across communes (kernel hook `comparison`): for each group of organisations, of its public
    questions published in [SINCE, UNTIL), the median days to the answer and the share (in percent) of those the
    commune committed to answer that were answered after the deadline or still wait past it. One query."""
    from django.utils import timezone

    from concerto.core.comparison.figures import by_group, median_days

    now = timezone.now()
    rows = (Question.objects.public()
            .filter(component__space__organisation_id__in=set().union(*groups.values()),
                    published_at__gte=since, published_at__lt=until)
            .values_list("component__space__organisation_id", "published_at", "answered_at", "due_at"))
    result = {}
    for key, questions in by_group(((pk, rest) for pk, *rest in rows), groups).items():
        committed = [(answered, due) for _published, answered, due in questions if due is not None]
        late = sum(1 for answered, due in committed if due < (answered or now))
        result[key] = {
            "questions_asked": len(questions),
            "answer_median_days": median_days(answered - published for published, answered, _due in questions
                                              if answered is not None),
            "answer_late_share": round(100 * late / len(committed), 1) if committed else None,
        }
    return result
