import logging
from datetime import date

import pytest

from cases.core.models import Holiday
from cases.core.workdays import (
    add_working_days,
    is_working_day,
    missing_calendar_years,
    working_days_between,
)

pytestmark = pytest.mark.django_db


def test_national_day_2025_is_skipped_and_the_adjusted_sunday_counts():
    # Sun 28 Sep 2025 is a working day (调休); 1–8 Oct are holidays.
    assert add_working_days(date(2025, 9, 26), 5) == date(2025, 10, 10)


def test_the_start_day_does_not_count():
    assert add_working_days(date(2025, 3, 3), 1) == date(2025, 3, 4)


def test_a_friday_plus_one_is_the_next_monday():
    assert add_working_days(date(2025, 3, 7), 1) == date(2025, 3, 10)


def test_spring_festival_2026_is_skipped():
    # 15–23 Feb 2026 off; Sat 14 Feb and Sat 28 Feb are adjusted working days.
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert add_working_days(date(2026, 2, 14), 1) == date(2026, 2, 24)


def test_adjusted_weekend_day_is_a_working_day():
    assert is_working_day(date(2025, 9, 28))


def test_statutory_holiday_on_a_weekday_is_not_a_working_day():
    assert not is_working_day(date(2025, 10, 1))


def test_year_without_schedule_falls_back_to_weekdays_without_error():
    due = add_working_days(date(2031, 9, 26), 5)  # Friday
    assert due == date(2031, 10, 3)
    assert due.weekday() < 5


def test_missing_years_are_named_from_october_on():
    assert missing_calendar_years(date(2026, 11, 25)) == [2027]


def test_no_year_is_missing_early_in_a_loaded_year():
    assert missing_calendar_years(date(2026, 3, 1)) == []


def test_an_admin_loaded_year_is_no_longer_missing_and_counts_its_holidays():
    Holiday.objects.create(date=date(2027, 1, 1), name="元旦")
    assert missing_calendar_years(date(2026, 11, 25)) == []
    assert add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)


def test_working_days_between_is_the_inverse_of_add():
    start = date(2025, 9, 26)
    assert working_days_between(start, add_working_days(start, 5)) == 5


def test_working_days_between_is_negative_backwards():
    assert working_days_between(date(2025, 10, 10), date(2025, 9, 26)) == -5


def test_negative_days_count_backwards_over_holidays():
    assert add_working_days(date(2025, 10, 10), -5) == date(2025, 9, 26)


def test_working_days_between_over_a_plain_week():
    assert working_days_between(date(2025, 3, 3), date(2025, 3, 10)) == 5


def test_next_years_calendar_is_checked_from_the_first_of_october():
    from cases.core.workdays import years_to_check

    assert years_to_check(date(2026, 9, 30)) == [2026]
    assert years_to_check(date(2026, 10, 1)) == [2026, 2027]
    assert years_to_check(date(2026, 12, 31)) == [2026, 2027]


def test_a_year_is_loaded_when_the_table_has_any_row_of_it():
    from cases.core.workdays import is_year_loaded

    Holiday.objects.filter(date__year=2031).delete()
    assert not is_year_loaded(2031)
    Holiday.objects.create(date=date(2031, 1, 1), is_working_day=False, name="元旦")
    from cases.core.workdays import clear_cache

    clear_cache()
    assert is_year_loaded(2031)


def test_a_years_exceptions_are_read_once_a_minute(monkeypatch, django_assert_num_queries):
    from cases.core import workdays

    clock = [1000.0]
    monkeypatch.setattr(workdays.time, "monotonic", lambda: clock[0])
    with django_assert_num_queries(1):
        is_working_day(date(2025, 10, 1))
    with django_assert_num_queries(0):
        is_working_day(date(2025, 10, 2))  # the same year, kept
        clock[0] += 59.9
        is_working_day(date(2025, 10, 3))
    with django_assert_num_queries(1):
        is_working_day(date(2026, 10, 1))  # another year is read on its own
    clock[0] += 0.1  # 60 s after the first read: read again
    with django_assert_num_queries(1):
        is_working_day(date(2025, 10, 2))


def test_working_days_between_a_day_and_itself_is_zero():
    assert working_days_between(date(2025, 10, 1), date(2025, 10, 1)) == 0
    assert working_days_between(date(2025, 3, 3), date(2025, 3, 3)) == 0


def test_a_year_without_a_schedule_is_named_in_a_warning(caplog):
    from cases.core.workdays import clear_cache

    clear_cache()
    with caplog.at_level(logging.WARNING, logger="cases.core.workdays"):
        assert is_working_day(date(2031, 1, 1))  # a Wednesday, no schedule for 2031
    assert [record.getMessage() for record in caplog.records] == [
        "no holiday schedule loaded for 2031: counting weekends only"
    ]


def test_a_loaded_year_gives_no_warning(caplog):
    from cases.core.workdays import clear_cache

    clear_cache()
    with caplog.at_level(logging.WARNING, logger="cases.core.workdays"):
        assert not is_working_day(date(2025, 10, 1))
    assert not caplog.records
