"""One row per response, one column per question: CSV (streamed) and XLSX.

No personal data: no name, no email, no account; the response's number, date, channel and commune of
residence only. The CSV is produced while the database is read (two cursors walking the responses and
their answers in the same order), so memory stays flat however many responses there are. From the back-office,
an export of more than CONCERTO_EXPORT_JOB_ROWS responses is written by a background job (`big_export`).
"""

from itertools import groupby
from operator import itemgetter

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from concerto.components.consultations.models import Answer, Question
from concerto.components.consultations.questionnaire import questionnaire_structure
from concerto.components.consultations.results import ALL, Filters, filters_from, submitted_responses
from concerto.core.exports import export_response
from concerto.core.jobs.exports import export_is_big, export_start
from concerto.core.participation.models import Channel
from concerto.core.spaces.models import Component

Kind = Question.Kind
CHUNK = 2000


def header(structure) -> list[str]:
    columns = [_("Response"), _("Date"), _("Channel"), _("Commune of residence")]
    return columns + [question.label for question in structure.questions]


def _cell(question, rows, option_labels: dict, option_order: dict):
    kind = question.kind
    if kind in (Kind.SINGLE, Kind.MULTIPLE):
        parts = []
        for row in sorted(rows, key=lambda row: option_order.get(row[1], 0)):
            label = option_labels.get(row[1], "")
            parts.append(f"{label} : {row[6]}" if row[6] else label)
        return " ; ".join(parts)
    if kind == Kind.RANKING:
        ranked = sorted(rows, key=lambda row: row[2] or 0)
        return " > ".join(option_labels.get(row[1], "") for row in ranked)
    row = rows[0]
    if kind == Kind.SCALE:
        return int(row[3])
    if kind == Kind.NUMBER:
        return int(row[3]) if row[3].is_integer() else row[3]
    if kind == Kind.DATE:
        # SQLite gives the text of the date, PostgreSQL a date.
        return (row[4].isoformat() if hasattr(row[4], "isoformat") else str(row[4])) if row[4] else ""
    if kind == Kind.POINT:
        return f"{row[7]:.6f} {row[8]:.6f}" if row[7] is not None else ""
    return row[6]


def rows(structure, filters: Filters = ALL):
    """Yield the header, then one list of cells per submitted response, in response order."""
    questions = structure.questions
    position = {question.pk: index for index, question in enumerate(questions)}
    by_id = structure.by_id
    option_labels = {option.pk: option.label for options in structure.options.values() for option in options}
    option_order = {option.pk: index for options in structure.options.values()
                    for index, option in enumerate(options)}
    # Translated once, not once per row.
    channel_labels = {value: str(label) for value, label in Channel.choices}
    zone = timezone.get_current_timezone()
    yield header(structure)
    responses = (
        submitted_responses(structure.component).filter(filters.responses()).order_by("pk")
        .values_list("pk", "submitted_at", "channel", "residence__name").iterator(chunk_size=CHUNK)
    )
    # Answers exist only for submitted responses (a draft has none): no join needed.
    answers = (
        Answer.objects.filter(filters.answers(), question_id__in=list(position)).order_by("response_id")
        .values_list("response_id", "option_id", "rank", "number", "date", "question_id", "text", "latitude",
                     "longitude")
    )
    grouped = groupby(_raw_rows(answers), key=itemgetter(0))
    pending = next(grouped, None)
    for pk, submitted_at, channel, residence in responses:
        cells = [""] * len(questions)
        # Both cursors walk the responses in the same order: skip answers of responses left out.
        while pending is not None and pending[0] < pk:
            pending = next(grouped, None)
        if pending is not None and pending[0] == pk:
            by_question = {}
            for row in pending[1]:
                by_question.setdefault(row[5], []).append(row)
            for question_id, answer_rows in by_question.items():
                if question_id in position:
                    cells[position[question_id]] = _cell(by_id[question_id], answer_rows, option_labels, option_order)
            pending = next(grouped, None)
        submitted = submitted_at.astimezone(zone).date().isoformat() if submitted_at else ""
        yield [pk, submitted, channel_labels.get(channel, channel), residence or "", *cells]


def _raw_rows(queryset):
    """The rows of QUERYSET as the database driver gives them, read in chunks through a server-side cursor
    on PostgreSQL: a million answer rows go by without Django building (or converting) each one."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # e.g. a questionnaire without questions: nothing to read
        return
    connection = connections[queryset.db]
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(CHUNK * 10):
            yield from rows


def _filename(structure, extension: str) -> str:
    component = structure.component
    stamp = date_format(timezone.localdate(), "Y-m-d")
    name = slugify(f"{component.space.slug}-{component.title}")[:80] or "consultation"
    return f"{name}-reponses-{stamp}.{extension}"


def _csv_rows(structure, filters: Filters):
    for row in rows(structure, filters):
        yield [f"{cell:g}" if isinstance(cell, float) else cell for cell in row]


def job_rows(*, component_id: int, query: dict, format: str):
    """The rows of an export run as a background job (`concerto.core.jobs.exports`), header first."""
    structure = questionnaire_structure(Component.objects.select_related("space__organisation").get(pk=component_id))
    filters = filters_from(query)
    return _csv_rows(structure, filters) if format == "csv" else rows(structure, filters)


def big_export(request, structure, filters: Filters, format: str):
    """The redirect to a background job writing the export when it has too many responses for a request, else
    None (the caller sends it at once)."""
    count = submitted_responses(structure.component).filter(filters.responses()).count()
    if not export_is_big(count):
        return None
    return export_start(
        request, rows_func="concerto.components.consultations.exports.job_rows", count=count, format=format,
        args={"component_id": structure.component.pk, "query": filters.as_query(), "format": format},
        filename=_filename(structure, format), permission="participation.view_personal_data", delimiter=";",
        sheet_title=_("Responses"), title=_("Export of the responses to “%(title)s”") % {
            "title": structure.component.title})


def csv_response(structure, filters: Filters = ALL):
    rows_iter = _csv_rows(structure, filters)
    header_row = next(rows_iter)
    return export_response(rows_iter, header_row, _filename(structure, "csv"), "csv", delimiter=";")


def xlsx_response(structure, filters: Filters = ALL):
    rows_iter = rows(structure, filters)
    header_row = next(rows_iter)
    return export_response(rows_iter, header_row, _filename(structure, "xlsx"), "xlsx",
                           sheet_title=_("Responses"))
