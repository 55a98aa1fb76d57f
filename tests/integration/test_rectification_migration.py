"""The data migration of #16 (0032_complaint_rectification_data) on PostgreSQL, through the
migration executor: complaints recorded under the old rule (every substantiated complaint a
breach entry at closing, the complainant's window supervised like a department's deadline) are
brought under the rectification stage's rules."""

from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True), pytest.mark.timeout(600)]

BEFORE = [("cases", "0031_complaint_rectification")]
AFTER = [("cases", "0032_complaint_rectification_data")]


def at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@pytest.fixture
def old_apps():
    """The database migrated back to 0031 (the columns there, the rows not yet re-marked), and its
    models; migrated to the latest migrations again afterwards, whatever the test did."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    yield executor.loader.project_state(BEFORE).apps
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def migrate_forwards():
    """Through 0032, then on to the latest migrations, so that the rows read back with today's models."""
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def old_complaint(apps, number: str, *, state: str, finding: str, satisfied, closed: bool):
    Case, Complaint = apps.get_model("cases", "Case"), apps.get_model("cases", "Complaint")
    Channel, Department = apps.get_model("cases", "Channel"), apps.get_model("cases", "Department")
    channel, _created = Channel.objects.get_or_create(code="12345", defaults={"name": "12345 热线", "secret": "s"})
    case = Case.objects.create(
        number=number, kind="complaint", title=f"拖欠工程款 {number}", state=state,
        department=Department.objects.get(code="czj"), closed_at=at(date(2025, 11, 3)) if closed else None,
    )  # fmt: skip
    return Complaint.objects.create(
        case=case, channel=channel, channel_reference=number, complainant_name="张经理", enterprise_name="示范公司",
        enterprise_uscc="91620702MA71ABCD0X", respondent="区某街道办事处", subject="arrears", facts="工程款未付",
        finding=finding, answer="情况属实，已付清。", satisfied=satisfied,
    )  # fmt: skip


def old_entry(apps, complaint):
    body, _created = apps.get_model("cases", "RespondentBody").objects.get_or_create(name="区某街道办事处")
    entries = apps.get_model("cases", "IntegrityEntry").objects
    return entries.create(body=body, complaint=complaint, summary="拖欠工程款：情况属实")


def old_deadline(apps, case, step: str, *, due_on: date, stage: int, next_action_at):
    Deadline = apps.get_model("cases", "Deadline")
    return Deadline.objects.create(
        case=case, step=step, label=step, department=case.department, working_days=5,
        started_on=due_on - timedelta(days=7), due_on=due_on, due_at=at(due_on + timedelta(days=1)),
        stage=stage, next_action_at=next_action_at,
    )  # fmt: skip


def test_cured_entries_are_re_marked_and_the_complainants_window_is_no_longer_supervised(old_apps, capsys):
    cured = old_complaint(old_apps, "TS2025000001", state="closed", finding="substantiated", satisfied=True,
                          closed=True)  # fmt: skip
    reviewed = old_complaint(old_apps, "TS2025000002", state="closed", finding="substantiated", satisfied=False,
                             closed=True)  # fmt: skip
    cured_entry, reviewed_entry = old_entry(old_apps, cured), old_entry(old_apps, reviewed)
    waiting = old_complaint(old_apps, "TS2025000003", state="answered", finding="substantiated", satisfied=None,
                            closed=False)  # fmt: skip
    # The old sweep had already issued the order (stage 2) on the complainant's window; an
    # instalment of the agreed plan, a deadline of the body's, has been reminded (stage 1).
    window = old_deadline(old_apps, waiting.case, "complaint.confirm", due_on=date(2025, 10, 10), stage=2,
                          next_action_at=at(date(2025, 10, 17)))  # fmt: skip
    instalment = old_deadline(old_apps, waiting.case, "arrears.instalment.1", due_on=date(2025, 12, 15), stage=1,
                              next_action_at=at(date(2025, 12, 16)))  # fmt: skip
    old_apps.get_model("cases", "Case").objects.filter(pk=waiting.case_id).update(
        supervision_stage=2, next_due_at=window.due_at
    )
    assert window.supervised and cured_entry.kind == reviewed_entry.kind == "breach"  # as 0031 left them
    capsys.readouterr()

    migrate_forwards()

    printed = capsys.readouterr().out
    assert "integrity entries re-marked as cured (not a breach): 1; breach entries kept: 1" in printed

    from cases.complaints.models import Channel, Complaint, IntegrityEntry
    from cases.core.models import Case, Deadline

    assert IntegrityEntry.objects.get(pk=cured_entry.pk).kind == "cured"
    assert IntegrityEntry.objects.get(pk=reviewed_entry.pk).kind == "breach"
    window = Deadline.objects.get(pk=window.pk)
    assert (window.supervised, window.next_action_at, window.stage) == (False, None, 0)
    instalment = Deadline.objects.get(pk=instalment.pk)
    assert (instalment.supervised, instalment.stage, instalment.next_action_at) == (True, 1, at(date(2025, 12, 16)))
    case = Case.objects.get(pk=waiting.case_id)
    assert (case.supervision_stage, case.next_due_at) == (1, instalment.due_at)
    outcomes = dict(Complaint.objects.values_list("case__number", "outcome"))
    assert outcomes == {"TS2025000001": "cured", "TS2025000002": "closed_after_review", "TS2025000003": ""}
    assert Complaint.objects.get(pk=cured.pk).satisfaction_source == "complainant"
    assert Channel.objects.get(code="12345").callback_required
