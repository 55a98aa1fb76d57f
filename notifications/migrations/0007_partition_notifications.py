"""Notifications partitioned by month on PostgreSQL (cases/infra/partitions.py). The text
messages' link to their notification loses its database constraint first: a partitioned table's
unique keys include the month, so none can back a foreign key to the id alone."""

from django.db import migrations, models

from cases.infra.partitions import partition_by_month, plain_again


def forward(apps, schema_editor):
    partition_by_month(schema_editor.connection, "notifications_notification")


def backward(apps, schema_editor):
    plain_again(schema_editor.connection, "notifications_notification")
    # The constraint comes back next: links to notifications deleted outside the ORM would refuse it.
    schema_editor.execute(
        "UPDATE notifications_smsmessage SET notification_id = NULL WHERE notification_id IS NOT NULL "
        "AND notification_id NOT IN (SELECT id FROM notifications_notification)"
    )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0006_ntext_wording")]

    operations = [
        migrations.AlterField(
            model_name="smsmessage",
            name="notification",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=models.deletion.SET_NULL,
                related_name="+",
                to="notifications.notification",
            ),
        ),
        migrations.RunPython(forward, backward),
    ]
