"""The manifest's hook for the person's email digest."""

from django.db.models import Q
from django.utils.text import Truncator

from concerto.components.questions.models import Question


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
    items, sections = {}, {}
    for user, since in people:
        mine = []
        for question in answers:
            if question.answered_at < since or (user.pk, question.pk) not in concerned:
                continue
            if question.pk not in items:
                items[question.pk] = (question.title, question.get_absolute_url(),
                                      Truncator(question.answer_text).chars(300))
            mine.append(items[question.pk])
            if len(mine) == 10:
                break
        if mine:
            sections[user.pk] = mine
    return sections
