"""What the consultations component hands to the kernel's hooks (see its manifest)."""

from django.urls import reverse

from concerto.components.consultations.models import Answer, Question, Response
from concerto.core.registry import FreeText


def free_texts(component):
    """Themes read the written answers to the questionnaire's text questions, in sent responses only (a draft is
    not given yet); each links to the page of that question's written answers."""
    space = component.space
    urls = {}
    answers = (Answer.objects.filter(response__component=component, response__status=Response.Status.SUBMITTED,
                                     question__kind__in=Question.TEXT_KINDS).exclude(text="")
               .order_by("pk").values_list("pk", "question_id", "text", "response__submitted_at"))
    for pk, question_id, text, submitted_at in answers.iterator(chunk_size=2000):
        if question_id not in urls:
            urls[question_id] = reverse("consultations:written_answers", kwargs={
                "org_slug": space.organisation.slug, "space_slug": space.slug, "component_id": component.pk,
                "question_id": question_id})
        yield FreeText(kind="consultations.answer", id=pk, text=text, url=urls[question_id], created_at=submitted_at)
