from django.db import migrations

from cases.core import policies


def seed(apps, schema_editor):
    # The longest rectification period an answer may set (and any other default still missing).
    policies.load_defaults(apps.get_model("cases", "Policy"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0034_seed_respondent_registry")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
