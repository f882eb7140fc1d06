"""On PostgreSQL, a trigram index makes the list's text search (`search_text LIKE '%word%'`) an index scan.

It needs the pg_trgm extension; where the database user may not create it, the migration skips the index
and search stays a plain scan (correct, only slower on large lists). SQLite has no such index: nothing to do.
"""

from django.db import DatabaseError, migrations, transaction


def create_index(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        try:
            with transaction.atomic(using=connection.alias):
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except DatabaseError:
            return
        cursor.execute("CREATE INDEX IF NOT EXISTS proposal_search_trgm_idx ON proposals_proposal "
                       "USING gin (search_text gin_trgm_ops)")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS proposal_search_trgm_idx")


class Migration(migrations.Migration):

    dependencies = [("proposals", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=True)]
