"""The audit trail and the notifications partitioned by month on the real PostgreSQL
(cases/infra/partitions.py): the migrations from the plain tables lose nothing, the append-only
trigger holds on every partition, partitions are made ahead and the default partition emptied,
and the queries that read them still walk indexes."""

from datetime import datetime, timedelta
from io import StringIO

import pytest
from dateutil.relativedelta import relativedelta
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.utils import DatabaseError
from django.utils import timezone

from cases.core import audit_chain, events
from cases.core.models import AuditEvent, Case
from cases.infra import partitions
from notifications.models import Notification, SmsMessage
from tests.cases.test_audit_chain import verify_audit
from tests.factories import CaseFactory, StaffFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True), pytest.mark.timeout(900)]

BEFORE = [("cases", "0041_deploy_channel_previous_secret"), ("notifications", "0006_ntext_wording")]
# Above every bulk writer's threshold (the outbox's COPY threshold is a few hundred rows).
ROWS = 20_000
MONTHS_SPREAD = 14  # the rows spread over this many months back from now


def rows_of(table: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} ORDER BY id")
        return cursor.fetchall()


def partition_of(table: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def months_ago(n: int) -> datetime:
    return timezone.now() - relativedelta(months=n)


def seed_plain_tables(subject: Case, recipient) -> None:
    """20,000 chained audit events and 20,000 notifications over 14 months, written the way the
    sweep writes them (COPY, audit_chain.insert) and by SQL."""
    case_type = ContentType.objects.get_for_model(Case).pk
    with transaction.atomic():
        audit_chain.insert(
            [
                {
                    "subject_type_id": case_type,
                    "subject_id": subject.pk + i % 50,
                    "event_type": "test.old",
                    "payload": {"n": i},
                    "created_at": months_ago(MONTHS_SPREAD) + timedelta(minutes=i * 30),
                }
                for i in range(ROWS)
            ]
        )
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO notifications_notification (recipient_id, case_id, kind, title, body, created_at,
                   read_at, via_email, attempts, payload, wording)
               SELECT %s, %s, 'test.old', 'title ' || n, 'body ' || n,
                      %s::timestamptz + n * interval '30 minutes',
                      CASE WHEN n %% 3 = 0 THEN now() END, n %% 2 = 0, jsonb_build_object('email', n %% 4),
                      jsonb_build_object('n', n), '{}'::jsonb
               FROM generate_series(0, %s - 1) AS n""",
            [recipient.pk, subject.pk, months_ago(MONTHS_SPREAD), ROWS],
        )


@pytest.fixture
def migrated_with_rows():
    """The plain tables (the migrations before partitioning) holding 20,000 rows each, their rows
    as they were, then the partitioning migrations run; the latest migrations again afterwards."""
    subject, recipient = CaseFactory(), StaffFactory()
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    assert not partitions.is_partitioned(connection.cursor(), "cases_auditevent")
    seed_plain_tables(subject, recipient)
    before = {table: rows_of(table) for table in partitions.PARTITIONED}
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    yield before
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_the_migrations_keep_every_row_and_field(migrated_with_rows):
    for table, before in migrated_with_rows.items():
        assert len(before) >= ROWS
        assert partitions.is_partitioned(connection.cursor(), table)
        assert rows_of(table) == before, table


def test_every_row_is_in_its_months_partition_and_the_default_is_empty(migrated_with_rows):
    for table in migrated_with_rows:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id, created_at, tableoid::regclass::text FROM {table}")
            placed = cursor.fetchall()
        misplaced = [
            row for row in placed if row[2] != partitions.partition_name(table, partitions.month_start(row[1]))
        ]
        assert len(placed) >= ROWS and misplaced == []
    assert partitions.default_rows() == dict.fromkeys(partitions.PARTITIONED, 0)


def test_the_audit_trail_still_verifies_after_the_migration(migrated_with_rows):
    assert f"{len(migrated_with_rows['cases_auditevent']):,} events" in verify_audit()


def test_new_rows_get_ids_above_the_old_ones(migrated_with_rows):
    case = CaseFactory()
    event = events.record(subject=case, event_type="test.new")
    notification = Notification.objects.create(recipient=StaffFactory(), kind="test.new", title="t", body="b")

    assert event.pk > migrated_with_rows["cases_auditevent"][-1][0]
    assert notification.pk > migrated_with_rows["notifications_notification"][-1][0]


def test_the_reverse_migration_gives_the_plain_tables_back_with_every_row():
    events.record(subject=CaseFactory(), event_type="test.kept")
    Notification.objects.create(recipient=StaffFactory(), kind="test.kept", title="t", body="b")
    before = {table: rows_of(table) for table in partitions.PARTITIONED}
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        for table, rows in before.items():
            assert not partitions.is_partitioned(connection.cursor(), table)
            assert rows_of(table) == rows
        assert "audit trail intact" in verify_audit()
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.parametrize("where", ["parent", "partition"])
@pytest.mark.parametrize(
    "statement", ["UPDATE {} SET event_type = 'forged' WHERE id = %s", "DELETE FROM {} WHERE id = %s"]
)
def test_the_trail_refuses_updates_and_deletes_on_the_parent_and_the_partitions(statement, where):
    event = events.record(subject=CaseFactory(), event_type="test.kept")
    table = "cases_auditevent" if where == "parent" else partition_of("cases_auditevent", event.pk)
    assert table != "cases_auditevent_default"

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement.format(table), [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).event_type == "test.kept"


def test_rows_of_a_month_without_a_partition_move_to_it_when_it_is_made():
    """A notification and an audit event dated beyond the partitions made ahead wait in the
    default partition; ensure_partitions makes their month and moves them, unchanged."""
    later = timezone.now() + relativedelta(months=partitions.MONTHS_AHEAD + 3)
    event = later_event(later)
    notification = Notification.objects.create(recipient=StaffFactory(), kind="k", title="t", body="b")
    Notification.objects.filter(pk=notification.pk).update(created_at=later)  # moves it to the default
    assert partition_of("notifications_notification", notification.pk) == "notifications_notification_default"
    before = {table: rows_of(table) for table in partitions.PARTITIONED}

    made = partitions.ensure_partitions()

    month = partitions.month_start(later)
    assert made == [partitions.partition_name(table, month) for table in partitions.PARTITIONED]
    assert partition_of("cases_auditevent", event.pk) == partitions.partition_name("cases_auditevent", month)
    assert partition_of("notifications_notification", notification.pk).endswith(f"_y{month:%Y}m{month:%m}")
    assert {table: rows_of(table) for table in partitions.PARTITIONED} == before
    assert partitions.default_rows() == dict.fromkeys(partitions.PARTITIONED, 0)
    assert "audit trail intact" in verify_audit()


def later_event(later: datetime) -> AuditEvent:
    with transaction.atomic():
        audit_chain.insert(
            [{"subject_type_id": ContentType.objects.get_for_model(Case).pk, "subject_id": CaseFactory().pk,
              "event_type": "test.later", "payload": {"at": later.isoformat()}, "created_at": later}]
        )  # fmt: skip
    return AuditEvent.objects.get(payload__at=later.isoformat())


def test_the_default_partition_refuses_deletes_again_after_a_move():
    later = timezone.now() + relativedelta(months=partitions.MONTHS_AHEAD + 2)
    later_event(later)
    partitions.ensure_partitions()  # the move out of the default (its trigger off for it)
    waiting = later_event(later + relativedelta(years=1))
    assert partition_of("cases_auditevent", waiting.pk) == "cases_auditevent_default"

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM cases_auditevent_default")


def test_making_the_partitions_twice_makes_them_once():
    partitions.ensure_partitions(months_ahead=5)
    assert partitions.ensure_partitions(months_ahead=5) == []


def test_the_command_makes_the_months_ahead_and_says_so():
    month = partitions.month_start(timezone.now()) + relativedelta(months=11)
    with connection.cursor() as cursor:  # another test may have made it: partitions outlive a test's rows
        cursor.execute(f"DROP TABLE IF EXISTS {partitions.partition_name('cases_auditevent', month)}")
    out = StringIO()
    call_command("ensure_partitions", "--months-ahead", "11", stdout=out)
    assert f"created {partitions.partition_name('cases_auditevent', month)}" in out.getvalue()
    assert "cases_auditevent: 0 rows in the default partition" in out.getvalue()


def explain(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")  # tiny tables: ask whether an index can serve
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(line for (line,) in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
    return plan


def test_the_inbox_reads_each_months_inbox_index():
    recipient = StaffFactory()
    Notification.objects.create(recipient=recipient, kind="k", title="t", body="b")
    plan = explain(Notification.objects.filter(recipient=recipient).order_by("-created_at", "-id")[:20])
    this_month = partitions.partition_name("notifications_notification", partitions.month_start(timezone.now()))
    assert f"{this_month}_recipient_id_created_at_idx" in plan
    assert "Seq Scan" not in plan


def test_a_query_for_one_month_reads_that_months_partition_only():
    month = partitions.month_start(timezone.now())
    plan = explain(Notification.objects.filter(created_at__gte=month, created_at__lt=month + relativedelta(months=1)))
    this_month = partitions.partition_name("notifications_notification", month)
    next_month = partitions.partition_name("notifications_notification", month + relativedelta(months=1))
    assert this_month in plan
    assert next_month not in plan and "_default" not in plan


def test_deleting_a_notification_empties_its_text_messages_link():
    notification = Notification.objects.create(recipient=StaffFactory(), kind="k", title="t", body="b")
    sms = SmsMessage.objects.create(phone="13800000000", text="t", notification=notification)

    notification.delete()

    sms.refresh_from_db()
    assert sms.notification_id is None
