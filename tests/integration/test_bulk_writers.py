"""Every place that writes rows without the ORM (COPY, raw INSERT, INSERT ... ON CONFLICT), on the
real PostgreSQL: above the outbox's COPY threshold, in several batches, and against a column added
later without a value in the writer (the fault that once stopped the whole deadline sweep)."""

from collections import Counter
from datetime import date, timedelta
from functools import partial

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.db.models import NOT_PROVIDED
from django.utils.timezone import now

from cases.api import intake_fast
from cases.complaints.models import WorkOrder
from cases.core import audit_chain
from cases.core.models import AuditEvent, Case, CreditRecord, Deadline, Party
from cases.core.roles import Role
from cases.infra.bulk import insert_rows
from cases.supervision.models import SupervisionOrder
from notifications.models import Notification
from notifications.services import COPY_THRESHOLD
from tests.factories import ApplicantFactory, CaseFactory, StaffFactory, valid_uscc
from tests.integration.conftest import CeleryWorker
from tests.integration.overdue import SWEEP_AT, overdue_deadlines
from tests.integration.private_services import wait_for
from workflows.models import CaseProcess

pytestmark = pytest.mark.integration

# Everyone a sweep tells of each stage: the assignee, two department heads, two supervisors.
RECIPIENTS = 5
STAGES = 3  # reminder, supervision order and escalation, all owed at once on SWEEP_AT


@pytest.fixture
def worker(own_redis):
    """A real worker on a Redis of the test's own, on the queue the app sends to: it runs the
    sweep and then the deliveries the sweep queues."""
    own_redis.start()
    worker = CeleryWorker(queue="celery", also_queues=settings.TASK_QUEUE_NAMES, REDIS_URL=own_redis.url).start()
    yield worker
    worker.stop()


def _columns(table: str) -> dict[str, tuple[bool, str | None]]:
    """column → (NOT NULL, the database's default) as PostgreSQL has them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, is_nullable = 'NO', column_default FROM information_schema.columns "
            "WHERE table_name = %s",
            [table],
        )
        return {name: (not_null, default) for name, not_null, default in cursor.fetchall()}


def _undefaulted_not_null(model, written: set[str]) -> set[str]:
    """The NOT NULL columns of `model`'s table that a writer naming only `written` would leave
    to a database default that is not there."""
    return {
        name
        for name, (not_null, default) in _columns(model._meta.db_table).items()
        if not_null and default is None and name not in written
    }


def _everyone_told_once(deadlines: int) -> None:
    told = Counter(Notification.objects.values_list("payload__deadline", "payload__stage", "recipient_id"))
    assert len(told) == deadlines * STAGES * RECIPIENTS and set(told.values()) == {1}


def _every_notification_delivered() -> None:
    wait_for(lambda: not Notification.objects.filter(pending=True).exists(), timeout=180,
             what="every notification delivered")  # fmt: skip
    for note in Notification.objects.all():
        assert note.undelivered_channels() == [], note.pk
        assert note.phone == "" and note.attempts.get("live") == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("deadlines", "batch_size"),
    [
        (COPY_THRESHOLD // (STAGES * RECIPIENTS) + 5, 1000),  # one batch, over the COPY threshold
        (240, 60),  # four batches, each over it
    ],
)
def test_a_sweep_whose_batches_fire_more_notifications_than_the_copy_threshold_escalates_and_delivers_each_once(
    worker, deadlines, batch_size
):
    overdue_deadlines(deadlines)
    department = Deadline.objects.select_related("department").first().department
    for n in range(2):
        StaffFactory(username=f"head{n}", department=department, role=Role.DEPARTMENT_HEAD)
    StaffFactory(username="sup2", department__code="yshj", role=Role.SUPERVISOR)
    assert batch_size * STAGES * RECIPIENTS > COPY_THRESHOLD or deadlines * STAGES * RECIPIENTS > COPY_THRESHOLD

    fired = (
        worker.client()
        .send_task(
            "cases.tasks.sweep_deadlines", kwargs={"now": SWEEP_AT.isoformat(), "batch_size": batch_size},
            queue=worker.queue,
        )
        .get(timeout=120)
    )  # fmt: skip

    assert fired == {"deadline.reminded": deadlines, "deadline.supervised": deadlines, "deadline.escalated": deadlines}
    for event in ("deadline.reminded", "deadline.supervised", "deadline.escalated"):
        per_deadline = Counter(AuditEvent.objects.filter(event_type=event).values_list("payload__deadline", flat=True))
        assert set(per_deadline.values()) == {1} and len(per_deadline) == deadlines
    assert SupervisionOrder.objects.filter(level="escalation").count() == deadlines
    assert set(SupervisionOrder.objects.values_list("response", flat=True)) == {""}
    _everyone_told_once(deadlines)
    _every_notification_delivered()


RECORDS = COPY_THRESHOLD + 50


def _records_of_one_entity(today: date) -> tuple:
    """An enterprise with an account and RECORDS records that became repairable today, and as
    many whose display ends today: each watch batch tells it of more than the COPY threshold."""
    uscc = valid_uscc("91620702MA71WATC0")
    entity = ApplicantFactory(username="watched", id_number=uscc, email="watched@example.org")
    party = Party.objects.create(kind="enterprise", name="被监测企业", id_number=uscc)
    department = StaffFactory(username="registrar").department
    common = {"party": party, "record_type": "penalty", "department": department, "decided_on": today - timedelta(400),
              "severity": "general", "summary": "罚款", "published_from": today - timedelta(400)}  # fmt: skip
    CreditRecord.objects.bulk_create(
        [CreditRecord(decision_number=f"甘罚〔2025〕R{n}号", repairable_from=today, display_until=today + timedelta(30),
                      **common) for n in range(RECORDS)]
        + [CreditRecord(decision_number=f"甘罚〔2025〕E{n}号", repairable_from=today - timedelta(300),
                        repairable_notified_on=today - timedelta(300), display_until=today, **common)
           for n in range(RECORDS)]
    )  # fmt: skip
    return entity


@pytest.mark.django_db(transaction=True)
def test_the_record_watch_tells_more_entities_than_the_copy_threshold_once_each_and_audits_each_record(worker):
    entity = _records_of_one_entity(date.today())

    done = worker.client().send_task("cases.tasks.watch_records", queue=worker.queue).get(timeout=120)

    assert done == {"repairable": RECORDS, "expired": RECORDS}
    for event in ("record.repairable", "record.display_ended"):
        audited = Counter(AuditEvent.objects.filter(event_type=event).values_list("subject_id", flat=True))
        assert len(audited) == RECORDS and set(audited.values()) == {1}
        assert set(AuditEvent.objects.filter(event_type=event).values_list("from_state", "to_state")) == {("", "")}
    assert Notification.objects.filter(recipient=entity, kind="record.repairable").count() == RECORDS
    assert Notification.objects.filter(recipient=entity, kind="record.expired").count() == RECORDS
    assert CreditRecord.objects.filter(status="expired").count() == RECORDS
    wait_for(lambda: not Notification.objects.filter(pending=True).exists(), timeout=180,
             what="every notification delivered")  # fmt: skip


# --- Each raw writer against its table's columns --------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_copy_fills_each_column_the_rows_leave_out_with_the_fields_default():
    """insert_rows on every model it writes, given only the columns that have no default: each
    left-out column reads back as the field's default, as if the ORM had written the row. (Audit
    events go through the trail's own bulk writer, which adds their hash chain's columns.)"""
    user = StaffFactory()
    case = CaseFactory()
    deadline = Deadline.objects.create(case=case, step="complaint.answer", label="答复", department=case.department,
                                       working_days=15, started_on=date.today(), due_on=date.today(),
                                       due_at=SWEEP_AT)  # fmt: skip
    writes = {
        Notification: {"recipient_id": user.pk, "kind": "deadline.reminder", "title": "催办", "body": "请办理"},
        AuditEvent: {"subject_type_id": ContentType.objects.get_for_model(Case).pk, "subject_id": case.pk,
                     "event_type": "deadline.reminded"},
        SupervisionOrder: {"case_id": case.pk, "deadline_id": deadline.pk, "department_id": case.department_id,
                           "level": "order", "reason": "逾期", "respond_by": date.today()},
    }  # fmt: skip
    for model, required in writes.items():
        with transaction.atomic():
            writer = audit_chain.insert if model is AuditEvent else partial(insert_rows, model)
            writer([dict(required) for _ in range(COPY_THRESHOLD + 1)])
        rows = list(model.objects.filter(**{k: v for k, v in required.items() if k != "payload"}))
        assert len(rows) == COPY_THRESHOLD + 1, model
        for field in model._meta.concrete_fields:
            if field.attname in required or field.primary_key:
                continue
            value = getattr(rows[0], field.attname)
            if field.name in ("prev_hash", "hash", "hash_algorithm"):
                assert value or field.name == "prev_hash", field.name  # audit_chain's
            elif getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False) or field.default is now:
                assert value is not None, field.name
            elif isinstance(field, models.DateTimeField) and field.has_default() and callable(field.default):
                # A time computed per row (the outbox's first retry): the writer's moment, not ours.
                assert abs(value - field.get_default()) < timedelta(minutes=1), field.name
            elif field.has_default():
                assert value == field.get_default(), field.name
            elif field.db_default is not NOT_PROVIDED:  # left to the database's own default
                assert value == field.db_default, field.name
            else:
                assert field.null and value is None, field.name


@pytest.mark.django_db(transaction=True)
def test_copy_writes_each_json_value_as_given_though_rows_share_one_object():
    """COPY dumps a JSON object the rows share once: every row still reads back its own value,
    Chinese text, quotes, backslashes and tabs included."""
    user = StaffFactory()
    shared = {"msgid": 'Case %(number)s "urgent"\tdue', "params": {"name": "区财政局\\一科"}}
    rows = [
        {"recipient_id": user.pk, "kind": "deadline.reminder", "title": "催办", "body": "请办理",
         "wording": shared, "payload": {"deadline": index} if index % 2 else {}}
        for index in range(COPY_THRESHOLD + 1)
    ]  # fmt: skip
    with transaction.atomic():
        insert_rows(Notification, rows)
    written = Notification.objects.filter(recipient=user).order_by("pk").values_list("wording", "payload")
    assert [wording for wording, _payload in written] == [shared] * len(rows)
    assert [payload for _wording, payload in written] == [row["payload"] for row in rows]


# The raw INSERTs that name their columns: every NOT NULL column they leave out must have a
# database default, or the first such INSERT after a migration fails in production.
RAW_INSERTS = {
    "the quick intake's INSERT ... ON CONFLICT": (WorkOrder, intake_fast.INSERT_FIELDS),
    "the engine's copied processes": (CaseProcess, ("process_ptr", "case")),
}


@pytest.mark.django_db
@pytest.mark.parametrize("writer", list(RAW_INSERTS))
def test_every_column_a_raw_insert_leaves_out_has_a_database_default(writer):
    model, fields = RAW_INSERTS[writer]
    written = {model._meta.get_field(name).column for name in fields} | {model._meta.pk.column}
    assert _undefaulted_not_null(model, written) == set()


@pytest.mark.django_db
def test_every_field_default_is_also_the_database_default():
    """A column added with a Django default gets the same default in PostgreSQL (db_default): a
    COPY or raw INSERT written before the column existed still fills it."""
    missing = []
    for model in [*apps.get_app_config("cases").get_models(), *apps.get_app_config("notifications").get_models()]:
        columns = _columns(model._meta.db_table)
        for field in model._meta.concrete_fields:
            if field.db_default is not NOT_PROVIDED and columns[field.column][1] is None:
                missing.append(f"{model.__name__}.{field.name}")
    assert missing == []


@pytest.mark.django_db
def test_a_column_added_without_a_default_is_seen_by_the_raw_insert_check():
    """The check above is no formality: a NOT NULL column without a default, added behind the
    ORM's back, is reported for the quick intake's INSERT."""
    table = WorkOrder._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} ADD COLUMN probe_added_later text NOT NULL")
    model, fields = RAW_INSERTS["the quick intake's INSERT ... ON CONFLICT"]
    written = {model._meta.get_field(name).column for name in fields} | {model._meta.pk.column}
    assert _undefaulted_not_null(model, written) == {"probe_added_later"}
