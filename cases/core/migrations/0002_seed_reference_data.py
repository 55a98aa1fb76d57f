from django.db import migrations

from cases.core import calendar_seed
from cases.core import policies
from cases.core import reference_data


def seed(apps, schema_editor):
    reference_data.load_departments(apps.get_model("cases", "Department"))
    policies.load_defaults(apps.get_model("cases", "Policy"))
    calendar_seed.load_official_schedule(apps.get_model("cases", "Holiday"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
