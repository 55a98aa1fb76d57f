"""Tables kept in monthly partitions on PostgreSQL (declarative partitioning, RANGE on the time
column): the audit trail and the notifications, the two tables that grow with every step taken.
A month's partition can then be detached and archived whole, and the indexes a query walks stay
the size of a month.

`partition_by_month` converts a plain table (a migration calls it; `plain_again` undoes it),
`ensure_partitions` makes the coming months' partitions ahead of time (daily, from beat, and
`manage.py ensure_partitions`). A row whose month has no partition yet lands in the table's
DEFAULT partition; `ensure_partitions` moves such rows into their month's partition as it makes
it (PostgreSQL refuses to create a partition while the default holds rows of its range).

Month bounds are in UTC: one unambiguous bound per month whatever the office's time zone.

Hand-written: Django has no partitioned tables, and the kept extensions that manage partitions
(pg_partman) are not in the system's packages nor allowed to a hosted database's owner role.
"""

import logging
from datetime import UTC, datetime

from dateutil.relativedelta import relativedelta
from django.db import connections, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

# table: its time column (the partition key)
PARTITIONED = {"cases_auditevent": "created_at", "notifications_notification": "created_at"}
MONTHS_AHEAD = 3
# The move out of the default and the new partition lock the table for a moment; a daily run that
# cannot get the lock soon gives up (months_ahead leaves months of slack) instead of queueing
# every writer behind it.
LOCK_TIMEOUT = "10s"


def month_start(moment: datetime) -> datetime:
    moment = moment.astimezone(UTC)
    return datetime(moment.year, moment.month, 1, tzinfo=UTC)


def partition_name(table: str, month: datetime) -> str:
    return f"{table}_y{month:%Y}m{month:%m}"


def default_name(table: str) -> str:
    return f"{table}_default"


def _bounds(month: datetime) -> tuple[str, str]:
    """The month's bounds as literals (DDL takes no bound parameters); ISO text made here."""
    following = month + relativedelta(months=1)
    return month.isoformat(), following.isoformat()


def _exists(cursor, name: str) -> bool:
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
    return cursor.fetchone()[0]


def is_partitioned(cursor, table: str) -> bool:
    cursor.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
        "WHERE c.oid = to_regclass(%s))",
        [table],
    )
    return cursor.fetchone()[0]


def _columns(cursor, table: str) -> list[str]:
    cursor.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped "
        "ORDER BY attnum",
        [table],
    )
    return [name for (name,) in cursor.fetchall()]


def _create_month(cursor, table: str, column: str, month: datetime) -> str:
    """The month's partition; the rows of that month waiting in the default moved into it first."""
    name, default = partition_name(table, month), default_name(table)
    start, end = _bounds(month)
    q = cursor.db.ops.quote_name
    waiting = 0
    if _exists(cursor, default):
        cursor.execute(f"SELECT count(*) FROM {q(default)} WHERE {q(column)} >= %s AND {q(column)} < %s", [start, end])
        waiting = cursor.fetchone()[0]
    if not waiting:
        cursor.execute(f"CREATE TABLE {q(name)} PARTITION OF {q(table)} FOR VALUES FROM ('{start}') TO ('{end}')")
        return name
    logger.warning("%s rows of %s waited in %s; moved to %s", waiting, month.strftime("%Y-%m"), default, name)
    columns = ", ".join(q(c) for c in _columns(cursor, table))
    cursor.execute(f"CREATE TABLE {q(name)} (LIKE {q(table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    # The move is a DELETE from the default: the audit trail's append-only trigger (cloned onto
    # every partition) is off for it, on the default only and inside this transaction, so no other
    # session ever sees it off. The rows move unchanged (their hashes still verify).
    triggers = _user_triggers(cursor, default)
    for trigger in triggers:
        cursor.execute(f"ALTER TABLE {q(default)} DISABLE TRIGGER {q(trigger)}")
    cursor.execute(
        f"WITH moved AS (DELETE FROM {q(default)} WHERE {q(column)} >= %s AND {q(column)} < %s RETURNING {columns}) "
        f"INSERT INTO {q(name)} ({columns}) SELECT {columns} FROM moved",
        [start, end],
    )
    for trigger in triggers:
        cursor.execute(f"ALTER TABLE {q(default)} ENABLE TRIGGER {q(trigger)}")
    cursor.execute(f"ALTER TABLE {q(table)} ATTACH PARTITION {q(name)} FOR VALUES FROM ('{start}') TO ('{end}')")
    return name


def _user_triggers(cursor, table: str) -> list[str]:
    cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [table])
    return [name for (name,) in cursor.fetchall()]


def _months_waiting_in_default(cursor, table: str, column: str) -> list[datetime]:
    default = default_name(table)
    if not _exists(cursor, default):
        return []
    q = cursor.db.ops.quote_name
    cursor.execute(
        f"SELECT DISTINCT date_trunc('month', {q(column)} AT TIME ZONE 'UTC') FROM {q(default)} "
        f"WHERE {q(column)} IS NOT NULL"
    )
    return [month.replace(tzinfo=UTC) for (month,) in cursor.fetchall()]


def ensure_partitions(months_ahead: int = MONTHS_AHEAD, now: datetime | None = None, using: str = "default") -> list:
    """Make this month's and the next `months_ahead` months' partitions of every partitioned table,
    and the partitions of any month whose rows wait in a default partition (moving them there).
    Idempotent; does nothing off PostgreSQL or on a table not (yet) partitioned. Returns the names
    of the partitions made."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    this_month = month_start(now or timezone.now())
    wanted = [this_month + relativedelta(months=n) for n in range(months_ahead + 1)]
    made = []
    with transaction.atomic(using=using), connection.cursor() as cursor:
        # One maker at a time (beat's task, the command, a migration); a second waits, then finds
        # the partitions there.
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('cases.infra.partitions'))")
        cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        for table, column in PARTITIONED.items():
            if not is_partitioned(cursor, table):
                continue
            for month in sorted(set(wanted) | set(_months_waiting_in_default(cursor, table, column))):
                if not _exists(cursor, partition_name(table, month)):
                    made.append(_create_month(cursor, table, column, month))
    return made


def default_rows(using: str = "default") -> dict[str, int]:
    """Rows waiting in each partitioned table's default partition (none after ensure_partitions)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return {}
    counts = {}
    with connection.cursor() as cursor:
        for table in PARTITIONED:
            if _exists(cursor, default_name(table)):
                cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(default_name(table))}")
                counts[table] = cursor.fetchone()[0]
    return counts


def partition_by_month(connection, table: str, months_ahead: int = MONTHS_AHEAD) -> None:
    """A migration's step: `table` rebuilt as a partitioned table, one partition per month from its
    oldest row's month to `months_ahead` months ahead, plus a DEFAULT partition; every row copied
    (ids, times and all), its indexes, foreign keys and triggers made again, its id sequence going on
    where it was. Nothing off PostgreSQL."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if not is_partitioned(cursor, table):
            _rebuild(cursor, table, PARTITIONED[table], partitioned=True, months_ahead=months_ahead)
    ensure_partitions(months_ahead, using=connection.alias)


def plain_again(connection, table: str) -> None:
    """The reverse: `table` one plain table again, every row copied back, primary key (id)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if is_partitioned(cursor, table):
            _rebuild(cursor, table, PARTITIONED[table], partitioned=False, months_ahead=0)


def _rebuild(cursor, table: str, column: str, *, partitioned: bool, months_ahead: int) -> None:
    """Copy rather than ATTACH the old table as one partition: attached, all history would stay one
    partition that no month can be detached from; copied, every month is its own partition from
    the start. It runs in the migration's transaction: the table is either all converted or not."""
    q = cursor.db.ops.quote_name
    cursor.execute(
        "SELECT conrelid::regclass::text, conname FROM pg_constraint WHERE confrelid = %s::regclass AND contype = 'f'",
        [table],
    )
    referencing = cursor.fetchall()
    if referencing:
        # A partitioned table's unique keys include the partition key: a foreign key to id alone
        # cannot be kept, and each such field must first become db_constraint=False.
        raise RuntimeError(f"{table} is referenced by foreign keys {referencing}: make them db_constraint=False first")
    cursor.execute(
        "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = %s::regclass AND NOT indisprimary", [table]
    )
    indexes = [definition for (definition,) in cursor.fetchall()]
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
        [table],
    )
    foreign_keys = cursor.fetchall()
    cursor.execute(
        "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [table]
    )
    triggers = [definition for (definition,) in cursor.fetchall()]
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    (sequence,) = cursor.fetchone()
    cursor.execute(f"SELECT last_value, is_called FROM {sequence}")
    last_value, is_called = cursor.fetchone()

    rebuilt = f"{table}__rebuilt"
    cursor.execute(
        f"CREATE TABLE {q(rebuilt)} (LIKE {q(table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY "
        f"INCLUDING STORAGE INCLUDING COMMENTS)" + (f" PARTITION BY RANGE ({q(column)})" if partitioned else "")
    )
    if partitioned:
        cursor.execute(f"SELECT min({q(column)}) FROM {q(table)}")
        this_month = month_start(timezone.now())
        month = min(month_start(cursor.fetchone()[0] or this_month), this_month)
        while month <= this_month + relativedelta(months=months_ahead):
            start, end = _bounds(month)
            cursor.execute(
                f"CREATE TABLE {q(partition_name(table, month))} PARTITION OF {q(rebuilt)} "
                f"FOR VALUES FROM ('{start}') TO ('{end}')"
            )
            month += relativedelta(months=1)
        cursor.execute(f"CREATE TABLE {q(default_name(table))} PARTITION OF {q(rebuilt)} DEFAULT")
    # Rows first, indexes after: one sort per index instead of an index update per row.
    columns = ", ".join(q(c) for c in _columns(cursor, table))
    cursor.execute(f"INSERT INTO {q(rebuilt)} ({columns}) SELECT {columns} FROM {q(table)}")
    cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, %s)", [rebuilt, last_value, is_called])
    cursor.execute(f"DROP TABLE {q(table)}")
    cursor.execute(f"ALTER TABLE {q(rebuilt)} RENAME TO {q(table)}")
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    cursor.execute(f"ALTER SEQUENCE {cursor.fetchone()[0]} RENAME TO {q(sequence.rpartition('.')[2])}")
    # Django keeps `id` as the model's primary key (its lookups and foreign keys use it alone and ids
    # stay unique: one sequence gives them); in the database a partitioned table's primary key must
    # include the partition key, hence (id, time).
    key = f"id, {q(column)}" if partitioned else "id"
    cursor.execute(f"ALTER TABLE {q(table)} ADD CONSTRAINT {q(table + '_pkey')} PRIMARY KEY ({key})")
    for definition in indexes + triggers:
        cursor.execute(definition)
    for name, definition in foreign_keys:
        cursor.execute(f"ALTER TABLE {q(table)} ADD CONSTRAINT {q(name)} {definition}")
    cursor.execute(f"ANALYZE {q(table)}")
