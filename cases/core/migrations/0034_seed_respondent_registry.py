from django.db import migrations

from cases.core import policies, reference_data


def seed(apps, schema_editor):
    # The assignment deadline's policy (交办时限), and the registry's district bodies, each
    # supervised by its own department.
    policies.load_defaults(apps.get_model("cases", "Policy"))
    reference_data.load_respondent_bodies(
        apps.get_model("cases", "RespondentBody"), apps.get_model("cases", "Department")
    )


class Migration(migrations.Migration):
    dependencies = [("cases", "0033_respondent_registry")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
