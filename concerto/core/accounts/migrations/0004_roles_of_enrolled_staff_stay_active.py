"""Roles existing before enrolment links: those of people who already have an authenticator app stay active,
the others become pending.

Someone with a TOTP authenticator has been through the second factor at least once: their app is the one they
set up, and taking that away would lock every working agent out on the day of the upgrade. Someone without
one never passed a second factor, so whoever knows their password could still enrol first: their roles wait
for a link (`manage.py role_links_send` sends one to each, or an administrator resends it from the team page).
"""

from django.db import migrations
from django.db.models import Exists, F, OuterRef


def activate_enrolled(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    Authenticator = apps.get_model("mfa", "Authenticator")
    enrolled = Authenticator.objects.filter(user_id=OuterRef("user_id"), type="totp")
    Role.objects.filter(Exists(enrolled)).update(activated_at=F("created_at"))


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0003_role_enrolment"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(activate_enrolled, migrations.RunPython.noop)]
