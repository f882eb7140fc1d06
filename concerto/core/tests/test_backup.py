"""tools/backup and tools/restore: a backup of a database with data and uploaded files, restored into a fresh
database and an empty folder, holds the same rows and the same files."""

import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

from concerto import testing
from concerto.core.participation.services import contribution_record

ROOT = Path(__file__).resolve().parents[3]
TABLES = ("territory_organisation", "accounts_user", "spaces_space", "spaces_component",
          "participation_contribution", "participation_auditentry")


def database_url(name: str) -> str:
    conf = connection.settings_dict
    credentials = quote(conf["USER"] or "postgres") + (f":{quote(conf['PASSWORD'])}" if conf["PASSWORD"] else "")
    return f"postgres://{credentials}@{conf['HOST'] or '127.0.0.1'}:{conf['PORT'] or 5432}/{name}"


def counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as db:
        return {table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES}


def tool(name: str, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(ROOT / "tools" / name), *arguments], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHON": sys.executable})


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_fresh_database_with_its_rows_and_files(settings, tmp_path, sceaux):
    testing.needs_postgresql("pg_dump and pg_restore back up PostgreSQL; SQLite is one file to copy")
    space = testing.SpaceFactory(organisation=sceaux, title="Budget participatif 2026")
    space.image.save("place.png", ContentFile(testing.image_bytes()), save=True)
    component = testing.ComponentFactory(space=space, kind="news")
    contribution_record(kind="news.test", target=space, component=component)
    default_storage.save("reports/photo.jpg", ContentFile(b"\xff\xd8 a photo"))
    source = database_url(connection.settings_dict["NAME"])
    before = counts(source)
    assert before["spaces_space"] >= 1 and before["participation_contribution"] >= 1

    made = tool("backup", "--out", str(tmp_path / "backups"), "--database-url", source, "--media",
                str(settings.MEDIA_ROOT))
    assert made.returncode == 0, made.stderr
    backup = Path(made.stdout.strip())
    assert {p.name for p in backup.iterdir()} == {"database.dump", "media.tar.gz", "manifest.json"}

    restored_name = f"{connection.settings_dict['NAME']}_restored_{uuid.uuid4().hex[:6]}"
    restored = database_url(restored_name)
    media = tmp_path / "media-restored"
    try:
        done = tool("restore", str(backup), "--database-url", restored, "--media", str(media))
        assert done.returncode == 0, done.stderr
        assert counts(restored) == before
        with psycopg.connect(restored) as db:
            title, image = db.execute("SELECT title, image FROM spaces_space WHERE id = %s", [space.pk]).fetchone()
        assert title == "Budget participatif 2026"
        assert (media / image).read_bytes() == Path(space.image.path).read_bytes()
        assert (media / "reports" / "photo.jpg").read_bytes() == b"\xff\xd8 a photo"
        # A second restore into the same database refuses: a restore never writes over data.
        again = tool("restore", str(backup), "--database-url", restored, "--media", str(tmp_path / "other"))
        assert again.returncode != 0 and "exists already" in again.stderr
    finally:
        with psycopg.connect(database_url("postgres"), autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{restored_name}" WITH (FORCE)')


def test_a_damaged_backup_is_refused_before_anything_is_restored(tmp_path):
    backup = tmp_path / "concerto-20260101T000000Z"
    backup.mkdir()
    (backup / "database.dump").write_bytes(b"PGDMP damaged")
    (backup / "media.tar.gz").write_bytes(b"")
    (backup / "manifest.json").write_text('{"database": "concerto", "created_at": "x", "files": {"database.dump": '
                                          '{"bytes": 13, "sha256": "0000"}}}')
    done = tool("restore", str(backup), "--database-url", "postgres://nobody@127.0.0.1:1/new",
                "--media", str(tmp_path / "media"))
    assert done.returncode != 0
    assert "damaged" in done.stderr
    assert not (tmp_path / "media").exists()
