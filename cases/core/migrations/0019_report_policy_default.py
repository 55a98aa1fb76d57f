from django.db import migrations

from cases.core import policies


def seed(apps, schema_editor):
    # Adds the policy on the half-year report's reminder (and any other default still missing).
    policies.load_defaults(apps.get_model("cases", "Policy"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0018_remove_case_case_department_state_case_next_due_at_and_more")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
