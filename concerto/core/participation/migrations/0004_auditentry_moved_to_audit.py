# AuditEntry now lives in the audit app (concerto/core/audit), on the same table: only Django's state
# changes here, the table and its rows stay (see audit.0001).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('participation', '0003_comment_threads_stances_votes'),
        ('audit', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='AuditEntry')],
            database_operations=[],
        ),
    ]
