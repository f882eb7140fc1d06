# The AuditEntry model moved here from the participation app. Its table keeps its name
# (participation_auditentry), so this migration only tells Django's state where the model now lives: no
# table is created and no row moves. On a new database the table is created by participation.0001.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('territory', '0001_initial'),
        ('participation', '0003_comment_threads_stances_votes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='AuditEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                        ('action', models.CharField(db_index=True, max_length=100)),
                        ('target_id', models.CharField(blank=True, max_length=64)),
                        ('target_repr', models.CharField(blank=True, max_length=200)),
                        ('data', models.JSONField(blank=True, default=dict)),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('organisation', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='territory.organisation')),
                        ('target_type', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to='contenttypes.contenttype')),
                    ],
                    options={
                        'verbose_name': 'audit entry',
                        'verbose_name_plural': 'audit log',
                        'ordering': ['-created_at', '-pk'],
                        'db_table': 'participation_auditentry',
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
