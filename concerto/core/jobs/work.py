"""The worker's side of a job, used through the Job's methods: its progress and its private files.

It never imports the Job model (the model calls it): the job passed in knows its own class.
"""

import secrets
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone


def private_root() -> Path:
    """Where jobs keep their files: never under MEDIA_ROOT's public URL (the proxy serves /media/)."""
    root = getattr(settings, "CONCERTO_PRIVATE_ROOT", None)
    return Path(root) if root else Path(settings.MEDIA_ROOT).parent / "private"


def input_write(job, content: bytes) -> None:
    """Keep CONTENT (the file uploaded with the request) privately for JOB's function to read."""
    relative = Path("jobs") / "in" / f"{job.pk}-{secrets.token_hex(8)}"
    target = private_root() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    job.input_path = str(relative)
    type(job).objects.filter(pk=job.pk).update(input_path=job.input_path)


def input_read(job) -> bytes:
    """The file uploaded with the request that started JOB."""
    return (private_root() / job.input_path).read_bytes()


def file_open(job, name: str, content_type: str):
    """A new private file for JOB's outcome, named NAME at download, open for writing in binary mode."""
    relative = Path("jobs") / "out" / str(job.organisation_id) / f"{job.pk}-{secrets.token_hex(8)}"
    target = private_root() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    days = getattr(settings, "CONCERTO_JOB_FILE_DAYS", 7)
    job.file_path, job.file_name, job.file_type = str(relative), name[:150], content_type[:100]
    job.expires_at = timezone.now() + timedelta(days=days)
    type(job).objects.filter(pk=job.pk).update(file_path=job.file_path, file_name=job.file_name,
                                         file_type=job.file_type, expires_at=job.expires_at)
    return target.open("wb")


def file_path(job) -> Path | None:
    if not job.file_path:
        return None
    path = private_root() / job.file_path
    return path if path.is_file() else None


_last_write: dict[int, float] = {}


def progress_write(job, done: int, total: int | None, label: str | None) -> None:
    every = getattr(settings, "CONCERTO_JOB_PROGRESS_EVERY", 1.0)
    total = job.total if total is None else total
    label = job.step if label is None else str(label)[:200]
    complete = total and done >= total
    now = time.monotonic()
    job.done, job.total, changed, job.step = done, total, label != job.step, label
    if not (complete or changed or now - _last_write.get(job.pk, 0.0) >= every):
        return
    _last_write[job.pk] = now
    type(job).objects.filter(pk=job.pk).update(done=done, total=total, step=label, updated_at=timezone.now())


def progress_forget(job) -> None:
    _last_write.pop(job.pk, None)
