"""The national-site syncs and channel callbacks join the shared outbox (cases/infra/outbox.py): a
delivery state, the next attempt's time and the dead-letter time. Rows keep their data: a row
with sent_at is sent; an unsent sync stays pending (the old rule retried it forever); an unsent
callback past the old limit of 20 attempts (no longer retried) is a dead letter, one below it
stays pending, due at once."""

import cases.infra.outbox
import django.db.models.functions.datetime
from django.db import migrations, models
from django.db.models.functions import Now

OLD_CALLBACK_LIMIT = 20


def states_from_the_old_fields(apps, schema_editor):
    NationalSync = apps.get_model("cases", "NationalSync")
    ChannelCallback = apps.get_model("cases", "ChannelCallback")
    NationalSync.objects.filter(sent_at__isnull=False).update(state="sent")
    ChannelCallback.objects.filter(sent_at__isnull=False).update(state="sent")
    ChannelCallback.objects.filter(sent_at__isnull=True, attempts__gte=OLD_CALLBACK_LIMIT).update(
        state="dead", dead_lettered_at=Now()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0029_signing_v2"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="channelcallback",
            name="callback_pending",
        ),
        migrations.RemoveIndex(
            model_name="nationalsync",
            name="sync_pending",
        ),
        migrations.AddField(
            model_name="channelcallback",
            name="dead_lettered_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="dead-lettered at"),
        ),
        migrations.AddField(
            model_name="channelcallback",
            name="next_attempt_at",
            field=models.DateTimeField(
                db_default=django.db.models.functions.datetime.Now(),
                default=cases.infra.outbox.first_attempt_due,
                verbose_name="next attempt at",
            ),
        ),
        migrations.AddField(
            model_name="channelcallback",
            name="state",
            field=models.CharField(
                choices=[("pending", "Pending"), ("sent", "Sent"), ("dead", "Dead letter")],
                db_default="pending",
                default="pending",
                max_length=10,
                verbose_name="delivery state",
            ),
        ),
        migrations.AddField(
            model_name="nationalsync",
            name="dead_lettered_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="dead-lettered at"),
        ),
        migrations.AddField(
            model_name="nationalsync",
            name="next_attempt_at",
            field=models.DateTimeField(
                db_default=django.db.models.functions.datetime.Now(),
                default=cases.infra.outbox.first_attempt_due,
                verbose_name="next attempt at",
            ),
        ),
        migrations.AddField(
            model_name="nationalsync",
            name="state",
            field=models.CharField(
                choices=[("pending", "Pending"), ("sent", "Sent"), ("dead", "Dead letter")],
                db_default="pending",
                default="pending",
                max_length=10,
                verbose_name="delivery state",
            ),
        ),
        migrations.AlterField(
            model_name="channelcallback",
            name="attempts",
            field=models.PositiveIntegerField(db_default=0, default=0, verbose_name="delivery attempts"),
        ),
        migrations.AlterField(
            model_name="channelcallback",
            name="last_error",
            field=models.CharField(
                blank=True, db_default="", default="", max_length=300, verbose_name="last delivery error"
            ),
        ),
        migrations.AlterField(
            model_name="nationalsync",
            name="attempts",
            field=models.PositiveIntegerField(db_default=0, default=0, verbose_name="delivery attempts"),
        ),
        migrations.AlterField(
            model_name="nationalsync",
            name="last_error",
            field=models.CharField(
                blank=True, db_default="", default="", max_length=300, verbose_name="last delivery error"
            ),
        ),
        migrations.RunPython(states_from_the_old_fields, migrations.RunPython.noop, elidable=False),
        migrations.AddIndex(
            model_name="channelcallback",
            index=models.Index(
                condition=models.Q(("state", "pending")), fields=["next_attempt_at"], name="callback_due"
            ),
        ),
        migrations.AddIndex(
            model_name="nationalsync",
            index=models.Index(condition=models.Q(("state", "pending")), fields=["next_attempt_at"], name="sync_due"),
        ),
    ]
