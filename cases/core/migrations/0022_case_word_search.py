"""Word search on the board and the queues among a million cases (PostgreSQL only; SQLite scans).

Trigram indexes on the open cases' numbers and subjects serve a word few cases contain; statistics
on the searched expressions let the planner see how many cases a word matches, so that a common
word walks the urgency order instead (its first page is near the top). The indexes need the
pg_trgm extension: where it cannot be created the search still works, by a scan."""

import logging

from django.db import DatabaseError, migrations, transaction

logger = logging.getLogger(__name__)

SEARCHED = {"title": "case_open_title_trgm", "number": "case_open_number_trgm"}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError as exc:
        logger.warning("pg_trgm is not available (%s): word search on cases scans instead of using an index", exc)
        return
    for column, index in SEARCHED.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {index} ON cases_case USING gin (upper({column}::text) gin_trgm_ops) "
            "WHERE closed_at IS NULL"
        )
        schema_editor.execute(
            f"CREATE STATISTICS IF NOT EXISTS case_{column}_upper ON (upper({column}::text)) FROM cases_case"
        )
    schema_editor.execute("ANALYZE cases_case")  # the new statistics now, not at the next auto-analyze


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column, index in SEARCHED.items():
        schema_editor.execute(f"DROP INDEX IF EXISTS {index}")
        schema_editor.execute(f"DROP STATISTICS IF EXISTS case_{column}_upper")


class Migration(migrations.Migration):
    dependencies = [("cases", "0021_audit_reference_length")]

    operations = [migrations.RunPython(create, drop)]
