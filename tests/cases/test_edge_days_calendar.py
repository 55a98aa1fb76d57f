"""Edge days of working-day deadlines: the due day and the day after, across National Day 2026
(1–7 October off, Saturday 10 October an adjusted working day, 调休), across the year end into
2027 (no schedule loaded: weekends only, with a warning), at the office's midnight (Asia/Shanghai)
against UTC, and supervision stages that never move backwards."""

import logging
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cases.core import deadlines, services, workdays
from cases.core.models import AuditEvent, Case, Deadline, Stage
from cases.supervision import sweep as supervision
from tests.factories import CaseFactory, StaffFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(day: date, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=SHANGHAI)


def last_second_of(day: date) -> datetime:
    return local(day, 23, 59, 59)


# --- working days (workdays) --------------------------------------------------------------------


def test_the_last_working_day_before_national_day_and_the_first_after_it():
    assert workdays.add_working_days(date(2026, 9, 29), 1) == date(2026, 9, 30)
    assert workdays.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert workdays.add_working_days(date(2026, 10, 8), -1) == date(2026, 9, 30)
    assert workdays.working_days_between(date(2026, 9, 30), date(2026, 10, 7)) == 0
    assert workdays.working_days_between(date(2026, 9, 30), date(2026, 10, 8)) == 1


def test_the_adjusted_saturday_after_national_day_counts_and_the_sunday_does_not():
    assert workdays.is_working_day(date(2026, 10, 10))
    assert not workdays.is_working_day(date(2026, 10, 11))
    assert not workdays.is_working_day(date(2026, 10, 1))  # a Thursday, but a holiday
    assert workdays.add_working_days(date(2026, 10, 9), 1) == date(2026, 10, 10)
    assert workdays.add_working_days(date(2026, 10, 10), 1) == date(2026, 10, 12)


def test_a_loaded_year_end_skips_new_years_day_and_counts_the_adjusted_sunday():
    # 1–3 January 2026 are off; Sunday 4 January is an adjusted working day.
    assert workdays.add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 4)
    assert workdays.working_days_between(date(2025, 12, 31), date(2026, 1, 3)) == 0


def test_into_a_year_without_a_schedule_only_weekends_are_skipped_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="cases.core.workdays"):
        # No 2027 schedule: New Year's Day (a Friday) counts as a working day until one is loaded.
        assert workdays.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 1)
        assert workdays.add_working_days(date(2027, 1, 1), 1) == date(2027, 1, 4)
        assert workdays.working_days_between(date(2026, 12, 31), date(2027, 1, 4)) == 2
    assert any("2027" in record.getMessage() for record in caplog.records)
    assert not workdays.is_year_loaded(2027) and workdays.is_year_loaded(2026)


# --- the year whose calendar is missing (workdays.missing_calendar_years) ------------------------


def test_next_years_calendar_is_missing_from_the_offices_first_of_october():
    with time_machine.travel(last_second_of(date(2026, 9, 30)), tick=False):
        assert workdays.missing_calendar_years() == []
    with time_machine.travel(local(date(2026, 10, 1)), tick=False):  # 16:00 UTC on 30 September
        assert workdays.missing_calendar_years() == [2027]


def test_the_missing_year_is_named_across_the_year_end():
    assert workdays.missing_calendar_years(date(2026, 12, 31)) == [2027]
    assert workdays.missing_calendar_years(date(2027, 1, 1)) == [2027]
    assert workdays.missing_calendar_years(date(2027, 9, 30)) == [2027]
    assert workdays.missing_calendar_years(date(2027, 10, 1)) == [2027, 2028]


# --- when a deadline starts and falls due (deadlines, services) ----------------------------------


@pytest.fixture
def case(db):
    return CaseFactory(assignee=StaffFactory(username="assignee"))


def register_deadline(case, start=None) -> Deadline:
    """One working day to register (complaint policy register_within)."""
    return services.start_deadline(case=case, step="complaint.register", label="登记", policy_key="register_within",
                                   start=start)  # fmt: skip


def test_a_deadline_started_at_the_offices_midnight_starts_on_the_local_day(case):
    with time_machine.travel(last_second_of(date(2026, 9, 29)), tick=False):
        assert (register_deadline(case).started_on, Deadline.objects.get().due_on) == (
            date(2026, 9, 29), date(2026, 9, 30))  # fmt: skip
    Deadline.objects.all().delete()
    with time_machine.travel(local(date(2026, 9, 30)), tick=False):  # 16:00 UTC on 29 September
        deadline = register_deadline(case)
    assert (deadline.started_on, deadline.due_on) == (date(2026, 9, 30), date(2026, 10, 8))
    assert deadline.due_at == local(date(2026, 10, 9))


def test_a_deadline_across_the_year_end_into_an_unloaded_year(case):
    deadline = register_deadline(case, start=date(2026, 12, 31))
    assert deadline.due_on == date(2027, 1, 1)
    assert deadline.due_at == local(date(2027, 1, 2))


@pytest.fixture
def over_national_day(case):
    """Due Thursday 8 October 2026 (started Wednesday 30 September, one working day)."""
    return register_deadline(case, start=date(2026, 9, 30))


def sweep(moment: datetime):
    return supervision.sweep(now=moment)


def test_the_reminder_fires_at_the_start_of_its_working_day_not_a_second_before(over_national_day):
    # Two working days before 8 October is 29 September (1–7 October are off).
    times = deadlines.stage_times(over_national_day, "complaint")
    assert times[Stage.REMINDED] == local(date(2026, 9, 29))
    assert sweep(local(date(2026, 9, 29)) - timedelta(seconds=1)).total == 0
    assert sweep(local(date(2026, 9, 29))).fired == {"deadline.reminded": 1}


def test_no_supervision_order_on_the_due_day_one_at_the_offices_midnight_after_it(over_national_day):
    sweep(local(date(2026, 9, 29), 9))
    assert sweep(last_second_of(date(2026, 10, 8))).total == 0
    assert sweep(local(date(2026, 10, 9))).fired == {"deadline.supervised": 1}  # 16:00 UTC on 8 October


def test_escalation_counts_the_adjusted_saturday(over_national_day):
    # Overdue by 5 working days: 9, 10 (Saturday, 调休), 12, 13, 14 October.
    sweep(local(date(2026, 10, 9)))
    assert sweep(last_second_of(date(2026, 10, 13))).total == 0
    assert sweep(local(date(2026, 10, 14))).fired == {"deadline.escalated": 1}


def test_working_days_overdue_on_the_due_day_and_after(over_national_day):
    overdue = [deadlines.working_days_overdue(over_national_day, date(2026, 10, day)) for day in (7, 8, 9, 10, 11, 12)]
    assert overdue == [0, 0, 1, 2, 2, 3]


def test_pausing_at_the_offices_midnight_keeps_the_working_days_left(over_national_day):
    case = over_national_day.case
    with time_machine.travel(last_second_of(date(2026, 9, 30)), tick=False):
        paused = services.pause_deadline(case=case, step="complaint.register")
    assert paused.remaining_working_days == 1
    with time_machine.travel(local(date(2026, 10, 9)), tick=False):
        resumed = services.resume_deadline(case=case, step="complaint.register")
    assert resumed.due_on == date(2026, 10, 10)  # the adjusted Saturday


def test_a_deadline_paused_at_the_offices_midnight_of_its_due_day_has_nothing_left(over_national_day):
    deadlines.pause(over_national_day, local(date(2026, 10, 8)))  # 16:00 UTC on 7 October
    assert over_national_day.remaining_working_days == 0
    deadlines.pause(over_national_day, last_second_of(date(2026, 10, 7)))
    assert over_national_day.remaining_working_days == 1


# --- supervision stages never move backwards (supervision.sweep) --------------------------------


def test_a_sweep_never_lowers_an_escalated_deadline(over_national_day):
    sweep(local(date(2026, 10, 14)))
    deadline = Deadline.objects.get()
    assert deadline.stage == Stage.ESCALATED
    # A stale next time (a sweep run with an old clock) makes the deadline due again at a reminder time.
    Deadline.objects.filter(pk=deadline.pk).update(next_action_at=local(date(2026, 9, 29)))
    assert sweep(local(date(2026, 9, 30))).total == 0
    assert Deadline.objects.get().stage == Stage.ESCALATED
    assert AuditEvent.objects.filter(event_type="deadline.reminded").count() == 1


def test_a_case_keeps_its_furthest_stage_when_another_deadline_is_only_reminded(over_national_day):
    case = over_national_day.case
    sweep(local(date(2026, 10, 14)))
    assert Case.objects.get(pk=case.pk).supervision_stage == Stage.ESCALATED
    # A second step of the same case, due 19 October: reminded on 15 October.
    services.start_deadline(case=case, step="complaint.answer", label="答复", policy_key="register_within",
                            start=date(2026, 10, 16))  # fmt: skip
    Case.objects.filter(pk=case.pk).update(supervision_stage=Stage.ESCALATED)
    assert sweep(local(date(2026, 10, 15))).fired == {"deadline.reminded": 1}
    assert Case.objects.get(pk=case.pk).supervision_stage == Stage.ESCALATED
