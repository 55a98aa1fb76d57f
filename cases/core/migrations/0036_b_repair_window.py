import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from cases.core import policies


def seed(apps, schema_editor):
    # The bankruptcy court ruling and the record type / severity table (and any other default
    # still missing). Existing records are not rewritten: the new checks apply to new records.
    policies.load_defaults(apps.get_model("cases", "Policy"))


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0036_a_repair_lifecycle"),
    ]

    operations = [
        migrations.AddField(
            model_name="channel",
            name="pushes_repair_applications",
            field=models.BooleanField(
                db_default=False,
                default=False,
                help_text='The national single window ("信用中国"网站) or the province\'s platform: it may push credit-repair applications to the deciding units and read their status.',
                verbose_name="pushes credit-repair applications",
            ),
        ),
        migrations.AddField(
            model_name="creditrecord",
            name="not_repairable",
            field=models.BooleanField(db_default=False, default=False, verbose_name="not repairable"),
        ),
        migrations.AddField(
            model_name="creditrecord",
            name="not_repairable_basis",
            field=models.TextField(
                blank=True, db_default="", default="", verbose_name="legal basis for not repairable"
            ),
        ),
        migrations.AddField(
            model_name="creditrecord",
            name="simple_procedure",
            field=models.BooleanField(db_default=False, default=False, verbose_name="decided by the simple procedure"),
        ),
        migrations.AddField(
            model_name="repairapplication",
            name="applicant_contact",
            field=models.CharField(
                blank=True, db_default="", default="", max_length=100, verbose_name="applicant's contact (as pushed)"
            ),
        ),
        migrations.AddField(
            model_name="repairapplication",
            name="applicant_name",
            field=models.CharField(
                blank=True, db_default="", default="", max_length=200, verbose_name="applicant (as pushed)"
            ),
        ),
        migrations.AddField(
            model_name="repairapplication",
            name="basis",
            field=models.CharField(
                choices=[
                    ("ordinary", "Ordinary application"),
                    ("bankruptcy_reorganisation", "Bankruptcy reorganisation (破产重整)"),
                ],
                db_default="ordinary",
                default="ordinary",
                max_length=30,
                verbose_name="basis of the application",
            ),
        ),
        migrations.AddField(
            model_name="repairapplication",
            name="channel",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="cases.channel",
                verbose_name="pushed by",
            ),
        ),
        migrations.AddField(
            model_name="repairapplication",
            name="platform_number",
            field=models.CharField(
                blank=True, db_default="", default="", max_length=64, verbose_name="platform application number"
            ),
        ),
        migrations.AddField(
            model_name="repairapplication",
            name="source",
            field=models.CharField(
                choices=[("portal", "This portal"), ("national_window", '"信用中国"网站 (single window)')],
                db_default="portal",
                default="portal",
                max_length=20,
                verbose_name="source",
            ),
        ),
        migrations.AlterField(
            model_name="material",
            name="uploaded_by",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="nationalsync",
            name="action",
            field=models.CharField(
                choices=[
                    ("repair", "Repair"),
                    ("revoke", "Revocation"),
                    ("accepted", "Accepted"),
                    ("notice", "One-time notice"),
                    ("not_accepted", "Not accepted"),
                    ("refused", "Decision not to repair"),
                ],
                max_length=20,
            ),
        ),
        migrations.AddConstraint(
            model_name="repairapplication",
            constraint=models.UniqueConstraint(
                condition=models.Q(("platform_number", ""), _negated=True),
                fields=("channel", "platform_number"),
                name="repair_platform_number_once",
            ),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
