"""The audit trail partitioned by month on PostgreSQL (cases/infra/partitions.py): every event
copied into the monthly partitions in this migration's transaction, the append-only trigger made
again on the partitioned table (and so on every partition). SQLite keeps its one table."""

from django.db import migrations

from cases.infra.partitions import partition_by_month, plain_again


def forward(apps, schema_editor):
    partition_by_month(schema_editor.connection, "cases_auditevent")


def backward(apps, schema_editor):
    plain_again(schema_editor.connection, "cases_auditevent")


class Migration(migrations.Migration):
    dependencies = [("cases", "0041_deploy_channel_previous_secret")]

    operations = [migrations.RunPython(forward, backward)]
