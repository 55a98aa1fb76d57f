from django.db import migrations, models

from cases.core import policies


def seed(apps, schema_editor):
    # The retention periods of closed cases (and any other default still missing).
    policies.load_defaults(apps.get_model("cases", "Policy"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0039_api_channel_evidence")]

    operations = [
        migrations.AddField(
            model_name="case",
            name="anonymised_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="personal data anonymised at"
            ),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
