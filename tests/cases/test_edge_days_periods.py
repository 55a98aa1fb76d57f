"""Edge days of the figures' periods (whole days in the office's time zone) and of the response
date on a supervision order issued at the office's midnight."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cases.core.exceptions import InvalidInput
from cases.core.roles import Role
from cases.reporting.metrics import Period
from cases.supervision import services as supervision_services
from tests.factories import CaseFactory, StaffFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(day: date, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("day", "code"),
    [(date(2026, 6, 30), "2026-H1"), (date(2026, 7, 1), "2026-H2"), (date(2026, 12, 31), "2026-H2"),
     (date(2027, 1, 1), "2027-H1")],
)  # fmt: skip
def test_the_half_year_a_day_belongs_to(day, code):
    assert Period.containing(day).code == code


def test_the_current_half_year_turns_at_the_offices_midnight():
    with time_machine.travel(local(date(2026, 6, 30), 23, 59, 59), tick=False):
        assert Period.from_params({}).code == "2026-H1"
    with time_machine.travel(local(date(2026, 7, 1)), tick=False):  # 16:00 UTC on 30 June
        assert Period.from_params({}).code == "2026-H2"


def test_a_period_runs_from_the_offices_midnight_to_the_midnight_after_its_last_day():
    start, end = Period.half_year(2026, 2).bounds()
    assert (start, end) == (local(date(2026, 7, 1)), local(date(2027, 1, 1)))
    assert start.astimezone(ZoneInfo("UTC")) == datetime(2026, 6, 30, 16, tzinfo=ZoneInfo("UTC"))


def test_a_month_period_ends_on_the_months_last_day():
    assert Period.months("2026-02", "2026-02").end == date(2026, 2, 28)
    assert Period.months("2028-02", "2028-02").end == date(2028, 2, 29)
    assert Period.months("2026-12", "2027-01").end == date(2027, 1, 31)


def test_a_period_of_one_day_is_allowed_and_one_ending_before_it_starts_is_not():
    assert Period.days("2026-12-31", "2026-12-31").start == date(2026, 12, 31)
    with pytest.raises(InvalidInput):
        Period.days("2026-12-31", "2026-12-30")


def test_a_period_is_at_most_sixty_months_less_a_day():
    assert Period.days("2021-01-01", "2025-12-31").end == date(2025, 12, 31)
    with pytest.raises(InvalidInput):
        Period.days("2021-01-01", "2026-01-01")


@pytest.mark.django_db
def test_a_supervision_order_issued_at_the_offices_midnight_counts_from_the_local_day():
    supervisor = StaffFactory(department__code="yshj", role=Role.SUPERVISOR)
    case = CaseFactory()
    # Three working days to respond. Issued on 30 September 2026 local time (16:00 UTC on the
    # 29th): 1–7 October are off, Saturday 10 October is an adjusted working day.
    with time_machine.travel(local(date(2026, 9, 30)), tick=False):
        order = supervision_services.issue_supervision_order(case_id=case.pk, actor=supervisor, reason="请按时答复")
    assert order.respond_by == date(2026, 10, 10)
    with time_machine.travel(local(date(2026, 9, 29), 23, 59, 59), tick=False):
        order = supervision_services.issue_supervision_order(
            case_id=CaseFactory().pk, actor=supervisor, reason="请按时答复"
        )
    assert order.respond_by == date(2026, 10, 9)
