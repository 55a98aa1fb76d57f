from django.db import migrations

from cases.core import policies


def seed(apps, schema_editor):
    policies.load_defaults(apps.get_model("cases", "Policy"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_case_casecounter_deadline_supervisionorder_and_more")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
