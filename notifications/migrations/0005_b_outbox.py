"""The notifications join the shared outbox (cases/infra/outbox.py): a delivery state, the next
attempt's time and the dead-letter time. Rows keep their data: a pending row stays pending (due
at once); a finished one is sent; one whose channel the old rule gave up after 10 attempts (it
turned the channel off) becomes a dead letter with that channel on again, so a re-send resumes it."""

import cases.infra.outbox
import django.db.models.functions.datetime
from django.conf import settings
from django.db import migrations, models
from django.db.models.functions import Now

OLD_LIMIT = 10


def states_from_the_old_fields(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    Notification.objects.filter(pending=False).update(state="sent")
    # Only a row with an error on record can have had a channel given up.
    for note in Notification.objects.filter(pending=False).exclude(last_error="").iterator():
        given_up = [
            channel
            for channel, attempts in (note.attempts or {}).items()
            if attempts >= OLD_LIMIT and getattr(note, f"{channel}_delivered_at", True) is None
        ]
        if given_up:
            Notification.objects.filter(pk=note.pk).update(
                state="dead", dead_lettered_at=Now(), **{f"via_{channel}": True for channel in given_up}
            )


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0004_database_defaults"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="notification",
            name="notification_pending",
        ),
        migrations.AddField(
            model_name="notification",
            name="dead_lettered_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="dead-lettered at"),
        ),
        migrations.AddField(
            model_name="notification",
            name="next_attempt_at",
            field=models.DateTimeField(
                db_default=django.db.models.functions.datetime.Now(),
                default=cases.infra.outbox.first_attempt_due,
                verbose_name="next attempt at",
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="state",
            field=models.CharField(
                choices=[("pending", "Pending"), ("sent", "Sent"), ("dead", "Dead letter")],
                db_default="pending",
                default="pending",
                max_length=10,
                verbose_name="delivery state",
            ),
        ),
        migrations.RunPython(states_from_the_old_fields, migrations.RunPython.noop, elidable=False),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                condition=models.Q(("state", "pending")), fields=["next_attempt_at"], name="notification_due"
            ),
        ),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("pending", True), ("state", "pending")),
                    models.Q(("pending", False), models.Q(("state", "pending"), _negated=True)),
                    _connector="OR",
                ),
                name="notification_pending_is_state",
            ),
        ),
    ]
