"""The commune's figures on questions to its elected officials: asked, answered, late, median answer time."""

from statistics import median


def figures(questions) -> dict:
    """Figures of QUESTIONS (a queryset of public questions): how many asked, answered, late (answered after
    their deadline or waiting past it), and the median days from publication to the answer."""
    asked = questions.count()
    answered = questions.filter(answered_at__isnull=False)
    days = [(answered_at - published_at).total_seconds() / 86400
            for published_at, answered_at in answered.values_list("published_at", "answered_at")
            if published_at is not None]
    return {
        "asked": asked,
        "answered": answered.count(),
        "late": questions.late().count(),
        "waiting": questions.filter(committed_at__isnull=False, answered_at__isnull=True).count(),
        "median_days": round(median(days), 1) if days else None,
    }
