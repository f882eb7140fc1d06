"""Backups of Concerto: `tools/backup` and `tools/restore` (this module holds both; standard library only).

tools/backup:
Back up Concerto: the PostgreSQL database (pg_dump, custom format) and the uploaded files (a tar of MEDIA_ROOT).

  tools/backup --out /backups [--database-url postgres://...] [--media /srv/concerto/media]

Writes OUT/concerto-<UTC time>/ with database.dump, media.tar.gz and manifest.json (when, from which database,
each file's size and SHA-256, which tools/restore checks before restoring anything). pg_dump reads one
consistent snapshot while the site keeps running; files uploaded during the dump may or may not be in the tar,
and an image whose row is not in the dump is harmless (never shown). Defaults: DATABASE_URL and
CONCERTO_MEDIA_ROOT from the environment (var/media otherwise). For point-in-time recovery (WAL archiving and a
base backup), see docs/operations.md, "Backups and restore".

tools/restore:
Restore a backup made by tools/backup into a NEW database and an empty media folder.

  tools/restore BACKUP_FOLDER --database-url postgres://user@host/concerto_restored --media /srv/concerto/media-new

Checks the backup's files against its manifest (size and SHA-256) first, then creates the database (it must not
exist: a restore never writes over data), restores the dump into it (pg_restore, stopping at the first error),
unpacks the uploaded files into the media folder (absent or empty), and prints the row counts of the key
tables. Point the site at the new database and folder (DATABASE_URL, CONCERTO_MEDIA_ROOT) once checked.
"""

import argparse
import datetime
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
KEY_TABLES = ("territory_organisation", "accounts_user", "spaces_space", "spaces_component",
              "participation_contribution", "budgets_ballot", "proposals_proposal", "reports_report",
              "participation_auditentry")


def pg_tool(name: str) -> str:
    candidate = PG_BIN / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found (apt-get install postgresql-client-15, or set PG_BIN)")
    return found


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


BACKUP, RESTORE = (__doc__.split("tools/backup:")[1].split("tools/restore:")[0].strip(),
                   __doc__.split("tools/restore:")[1].strip())


def backup(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="tools/backup", description=BACKUP)
    parser.add_argument("--out", required=True, help="the folder that receives the backup's folder")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--media", default=os.environ.get("CONCERTO_MEDIA_ROOT", str(ROOT / "var" / "media")))
    args = parser.parse_args(argv)
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("--database-url (or DATABASE_URL) must name the PostgreSQL database to back up")
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    target = Path(args.out) / f"concerto-{stamp}"
    target.mkdir(parents=True)
    dump = target / "database.dump"
    # Custom format: compressed, restored table by table (pg_restore --jobs), one table can be picked out.
    result = subprocess.run([pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                             f"--file={dump}", args.database_url], capture_output=True, text=True)
    if result.returncode:
        shutil.rmtree(target, ignore_errors=True)
        raise SystemExit(f"pg_dump failed: {result.stderr.strip()}")
    media = Path(args.media)
    archive = target / "media.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        if media.is_dir():
            tar.add(media, arcname="media")
    manifest = {
        "created_at": stamp,
        "database": urlsplit(args.database_url).path.lstrip("/"),
        "media": str(media),
        "files": {path.name: {"bytes": path.stat().st_size, "sha256": sha256(path)} for path in (dump, archive)},
    }
    (target / "manifest.json").write_text(json.dumps(manifest, indent=2))
    print(target)



def psql(url: str, sql: str) -> str:
    result = subprocess.run([pg_tool("psql"), "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql, url],
                            capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"psql failed: {result.stderr.strip()}")
    return result.stdout.strip()


def restore(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="tools/restore", description=RESTORE)
    parser.add_argument("backup", help="a folder written by tools/backup")
    parser.add_argument("--database-url", required=True, help="the NEW database (created here)")
    parser.add_argument("--media", required=True, help="the media folder to fill (absent or empty)")
    parser.add_argument("--jobs", type=int, default=2, help="tables restored at once")
    args = parser.parse_args(argv)
    backup = Path(args.backup)
    try:
        manifest = json.loads((backup / "manifest.json").read_text())
    except (OSError, ValueError) as error:
        raise SystemExit(f"{backup} is not a backup of tools/backup: {error}") from None
    for name, expected in manifest["files"].items():
        path = backup / name
        if not path.exists() or path.stat().st_size != expected["bytes"] or sha256(path) != expected["sha256"]:
            raise SystemExit(f"{path} is missing or damaged (it does not match manifest.json): nothing restored")
    media = Path(args.media)
    if media.exists() and any(media.iterdir()):
        raise SystemExit(f"{media} is not empty: restore the files into a new folder")
    parts = urlsplit(args.database_url)
    name = parts.path.lstrip("/")
    if not name or not args.database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("--database-url must name a PostgreSQL database")
    maintenance = parts._replace(path="/postgres").geturl()
    if psql(maintenance, f"SELECT 1 FROM pg_database WHERE datname = '{name.replace(chr(39), '')}'"):
        raise SystemExit(f"the database {name} exists already: a restore goes into a new database")
    psql(maintenance, 'CREATE DATABASE "{}"'.format(name.replace('"', "")))
    result = subprocess.run([pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
                             f"--jobs={args.jobs}", f"--dbname={args.database_url}", str(backup / "database.dump")],
                            capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"pg_restore failed (the database {name} is incomplete: drop it): {result.stderr.strip()}")
    media.mkdir(parents=True, exist_ok=True)
    with tarfile.open(backup / "media.tar.gz") as tar:
        members = [member for member in tar.getmembers() if member.name.startswith("media/")]
        for member in members:
            member.name = member.name[len("media/"):]
        tar.extractall(media, members=members, filter="data")
    existing = set(psql(args.database_url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'").split())
    counts = {table: int(psql(args.database_url, f"SELECT count(*) FROM {table}"))
              for table in KEY_TABLES if table in existing}
    files = sum(1 for path in media.rglob("*") if path.is_file())
    print(f"restored {manifest['database']} of {manifest['created_at']} into {name}, {files} files into {media}")
    for table, count in counts.items():
        print(f"  {table}: {count}")



if __name__ == "__main__":
    sys.exit({"backup": backup, "restore": restore}[sys.argv[1]](sys.argv[2:]))
