"""Read queries of questions shared by the pages and the API: the public questions similar to a text."""

from concerto.components.questions.models import Question
from concerto.core.texts import similar as similar_texts


def similar(component, text: str, *, limit: int = similar_texts.LIMIT,
            threshold: float = similar_texts.RESIDENT_THRESHOLD) -> list[Question]:
    """The public questions of COMPONENT closest to TEXT (the kernel's engine), the closest first, each with its
    `similarity`: a resident supports the existing question instead of asking it again. Pending, refused and
    hidden questions are never suggested."""
    candidates = Question.objects.public().filter(component=component)
    scope = similar_texts.queryset_scope(f"questions:{component.pk}", candidates)
    return similar_texts.suggestions(scope, candidates.select_related("component__space__organisation"), text,
                                     limit=limit, threshold=threshold)
