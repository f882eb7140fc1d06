"""The Métropole's list of topics, to start with; its administrators change it in the Django admin."""

from django.db import migrations

TOPICS = [
    ("mobilite", "Mobilité", "Mobility"),
    ("climat-energie", "Climat et énergie", "Climate and energy"),
    ("logement", "Logement", "Housing"),
    ("jeunesse", "Jeunesse", "Youth"),
    ("culture", "Culture", "Culture"),
    ("securite", "Sécurité", "Safety"),
    ("proprete", "Propreté", "Cleanliness"),
    ("espaces-verts-nature", "Espaces verts et nature", "Green spaces and nature"),
    ("education", "Éducation", "Education"),
    ("solidarites", "Solidarités", "Solidarity"),
    ("sport", "Sport", "Sport"),
    ("sante", "Santé", "Health"),
    ("urbanisme", "Urbanisme", "Urban planning"),
    ("economie-emploi", "Économie et emploi", "Economy and jobs"),
    ("democratie-locale", "Démocratie locale", "Local democracy"),
]


def seed(apps, schema_editor):
    Topic = apps.get_model("spaces", "Topic")
    for position, (slug, name, name_en) in enumerate(TOPICS, start=1):
        Topic.objects.get_or_create(slug=slug, defaults={"name": name, "name_en": name_en, "position": position})


class Migration(migrations.Migration):
    dependencies = [("spaces", "0003_topics")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
