"""Big exports as background jobs: above CONCERTO_EXPORT_JOB_ROWS rows (5,000 by default), an export is
written by the worker into a private file that the agent downloads from the job's page; below, it stays
immediate (`concerto.core.exports.export_response`).

The worker cannot use the request's objects: the caller names a function by its dotted path,
ROWS_FUNC(**ARGS) -> the rows (JSON arguments: ids and plain values), run in the worker.
"""

from django.conf import settings
from django.shortcuts import redirect
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from concerto.core.exports import CONTENT_TYPES, CSV, export_write
from concerto.core.jobs.services import job_start

KIND = "exports.export"  # its audit actions: exports.export_requested, exports.export_failed
PROGRESS_EVERY_ROWS = 500


def export_threshold() -> int:
    return getattr(settings, "CONCERTO_EXPORT_JOB_ROWS", 5000)


def export_is_big(count: int) -> bool:
    return count > export_threshold()


def export_start(request, *, rows_func: str, args: dict, filename: str, title: str, permission: str, count: int,
                 format: str = CSV, columns=None, delimiter: str = ",", column_keys=None, sheet_title: str = ""):
    """Start the export job and send the agent to its page. COLUMNS None: the first row is the header."""
    job = job_start(
        kind=KIND, organisation=request.organisation, user=request.user, func="concerto.core.jobs.exports.export_job",
        permission=permission, title=title, rows_func=rows_func, rows_args=args, filename=filename, format=format,
        columns=list(columns) if columns is not None else None, delimiter=delimiter,
        column_keys=list(column_keys) if column_keys is not None else None, sheet_title=sheet_title, count=count)
    return redirect("jobs:detail", request.organisation.slug, job.pk)


def export_job(job, *, rows_func: str, rows_args: dict, filename: str, format: str, columns, delimiter: str,
               column_keys, sheet_title: str, count: int) -> str:
    """Write the export file (the worker), reporting the rows written as it goes."""
    rows = iter(import_string(rows_func)(**rows_args))
    if columns is None:
        columns = next(rows, [])
    label = _("Writing the rows…")
    job.progress(0, count, label)

    written = 0

    def counted():
        nonlocal written
        for row in rows:
            written += 1
            if written % PROGRESS_EVERY_ROWS == 0:
                job.progress(min(written, count), count, label)
            yield row

    with job.file_open(filename, CONTENT_TYPES[format]) as output:
        export_write(output, counted(), columns, format, delimiter=delimiter, column_keys=column_keys,
                     sheet_title=sheet_title)
    return ngettext("The export is ready: %(count)s row.", "The export is ready: %(count)s rows.", written) % {
        "count": written}
