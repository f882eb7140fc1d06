"""The consultations' open dataset: the aggregated results of each questionnaire whose results are public, one row per
question and answer (a choice, a value of a scale, a month, a commune of the map), never a response nor a written
answer. Counts of fewer than SMALL_COUNT people are left out (the kernel's rule, core/registry.py), and with them the
next smallest count of the question when only one was: a question's total would give the one left out back."""

from django.utils.translation import gettext_lazy as _

from concerto.core.registry import DatasetField, OpenDataset, PerComponent, dataset_fields, small_count_hidden

FIELDS = ("consultation_id", "consultation", "space", "commune", "commune_insee", "question_id", "question", "type",
          "answered", "answer", "count", "percent", "average_rank", "value", "suppressed")
# Rows of figures over all who answered (a mean, a median...), not counts of people who gave one answer.
STATISTICS = ("mean", "median", "minimum", "maximum", "written answers")


def _hide(row: dict, *names: str) -> None:
    for name in names:
        row[name] = None
    row["suppressed"] = True


def suppress(rows: list[dict]) -> list[dict]:
    """ROWS (of one question) with the small counts left out."""
    if rows and small_count_hidden(rows[0]["answered"]):
        for row in rows:
            _hide(row, "answered", "count", "percent", "average_rank", "value")
        return rows
    items = [row for row in rows if row["answer"] not in STATISTICS]
    hidden = [row for row in items if small_count_hidden(row["count"])]
    if len(hidden) == 1:
        others = sorted((row for row in items if row["count"] and row not in hidden), key=lambda row: row["count"])
        hidden += others[:1]
    for row in hidden:
        _hide(row, "count", "percent", "average_rank")
    return rows


def results_are_public(component) -> bool:
    return (component.published and component.space.is_published
            and component.setting("results_visibility") == "public")


def export_results(component) -> list[dict]:
    """The aggregated results (counts, percentages, means), when they are public. No answer of any one person, no
    free text; every count, however small (the team's export; the open dataset leaves the small ones out)."""
    from concerto.components.consultations.questionnaire import questionnaire_structure
    from concerto.components.consultations.results import results_compute, results_rows

    if not results_are_public(component):
        return []
    structure = questionnaire_structure(component)
    return results_rows(structure, results_compute(structure, latest_texts=0))


def export_rows(component) -> list[dict]:
    """Open data: the public results of COMPONENT's questionnaire, aggregated, small counts left out."""
    space = component.space
    context = {"consultation_id": component.pk, "consultation": component.title, "space": space.title,
               "commune": space.organisation.name, "commune_insee": space.organisation.insee_code}
    by_question: dict[int, list[dict]] = {}
    for row in export_results(component):
        full = {**context, "value": None, **row, "suppressed": False}
        by_question.setdefault(row["question_id"], []).append(full)
    return [row for rows in by_question.values() for row in suppress(rows)]


DATASET = OpenDataset(
    name="resultats-questionnaires", title=_("Questionnaire results"),
    description=_("The results of the questionnaires whose results are public: for each question, how many "
                  "answered each choice (or gave each value), with the means of scales and numbers. No response of "
                  "anyone and no written answer; counts under 5 are left out so that no one can be recognised."),
    fields=dataset_fields(
        FIELDS,
        DatasetField("consultation_id", "integer", _("Identifier of the questionnaire")),
        DatasetField("consultation", "string", _("Questionnaire")),
        DatasetField("space", "string", _("Space")),
        DatasetField("question_id", "integer", _("Identifier of the question")),
        DatasetField("question", "string", _("Question")),
        DatasetField("type", "string", _("Type of question")),
        DatasetField("answered", "integer", _("People who answered the question")),
        DatasetField("answer", "string", _("Answer")),
        DatasetField("count", "integer", _("Answers")),
        DatasetField("percent", "number", _("Share of those who answered (percent)")),
        DatasetField("average_rank", "number", _("Average rank")),
        DatasetField("value", "number", _("Value")),
        DatasetField("suppressed", "boolean", _("Counts left out (fewer than 5)"))),
    rows=PerComponent("concerto.components.consultations.open_datasets.export_rows"), theme="GOVE",
    sources=("consultations.Response", "consultations.Question", "consultations.Option"))
