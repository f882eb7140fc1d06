"""The quick polls' open dataset: each public poll with the number of answers of each choice."""

from django.utils.translation import gettext_lazy as _

from concerto.core.registry import DatasetField, OpenDataset, PerComponent, dataset_fields

FIELDS = ("id", "question", "multiple", "opens_at", "closes_at", "target", "answers", "results", "url")

DATASET = OpenDataset(
    name="sondages", title=_("Quick polls"),
    description=_("Each public quick poll with how many answered and, once shown on the site, the answers of "
                  "each choice. Nothing about who answered."),
    fields=dataset_fields(
        FIELDS,
        DatasetField("question", "string", _("Question")),
        DatasetField("multiple", "boolean", _("Several answers allowed")),
        DatasetField("opens_at", "datetime", _("Opens at")), DatasetField("closes_at", "datetime", _("Closes at")),
        DatasetField("target", "string", _("Who may answer")), DatasetField("answers", "integer", _("Answers")),
        DatasetField("results", "string", _("Answers of each choice"))),
    rows=PerComponent("concerto.components.polls.hooks.export_polls"), theme="GOVE",
    sources=("polls.Poll", "polls.Answer"))
