"""The task pages at a province's scale (bench/queue_at_scale.py, 10 million cases): the queue is
read from the open cases' indexes in their due order, each case's active task looked up by its
process. viewflow's own index on the process covers every task ever done (two or more a case);
this one only the active ones, a small index that stays in memory. The statistics tell the
planner how status and permission go together (every department task in the pool is NEW): without
them it expected a hundredth of the queue's rows and joined every pooled task of the province."""

from django.db import migrations

ACTIVE = "status IN ('NEW', 'ASSIGNED', 'STARTED')"


def forwards(apps, schema_editor):
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS task_active_process ON viewflow_task (process_id) WHERE {ACTIVE}")
    if schema_editor.connection.vendor == "postgresql":  # extended statistics are PostgreSQL's
        schema_editor.execute(
            "CREATE STATISTICS IF NOT EXISTS task_status_permission (mcv) ON status, owner_permission FROM viewflow_task"
        )


def backwards(apps, schema_editor):
    schema_editor.execute("DROP INDEX IF EXISTS task_active_process")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP STATISTICS IF EXISTS task_status_permission")


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0001_initial"),
        ("viewflow", "0015_task_scheduled"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
