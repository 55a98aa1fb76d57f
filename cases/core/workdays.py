"""Working-day arithmetic (工作日) over the Holiday table.

A day is a working day when the table says so; a day missing from the table is a working day
from Monday to Friday. A year with no rows at all has no official schedule loaded: it falls back
to weekends-only, logs a warning, and `missing_calendar_years()` names it for the warning banner.
"""

import logging
import threading
import time
from datetime import date, timedelta

from django.utils import timezone

logger = logging.getLogger(__name__)

# The table changes a few times a year; each process keeps a year's exceptions for a minute
# and drops them at once when this process saves a Holiday (signals.py).
_CACHE_SECONDS = 60
_cache: dict[int, tuple[float, dict[date, bool] | None]] = {}
_cache_lock = threading.Lock()


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


def _year_exceptions(year: int) -> dict[date, bool] | None:
    """The year's {date: is_working_day} exceptions, or None when no schedule is loaded."""
    now = time.monotonic()
    with _cache_lock:
        cached = _cache.get(year)
    if cached and now - cached[0] < _CACHE_SECONDS:
        return cached[1]
    from cases.core.models import Holiday

    rows = dict(Holiday.objects.filter(date__year=year).values_list("date", "is_working_day"))
    exceptions = rows or None
    if exceptions is None:
        logger.warning("no holiday schedule loaded for %s: counting weekends only", year)
    with _cache_lock:
        _cache[year] = (now, exceptions)
    return exceptions


def is_year_loaded(year: int) -> bool:
    return _year_exceptions(year) is not None


def is_working_day(day: date) -> bool:
    exceptions = _year_exceptions(day.year)
    if exceptions and day in exceptions:
        return exceptions[day]
    return day.weekday() < 5


def add_working_days(start: date, n: int) -> date:
    """The n-th working day after `start` (the start day itself does not count).

    n = 0 gives `start` itself; a negative n counts backwards (for reminders before a due date).
    """
    step = 1 if n >= 0 else -1
    remaining = abs(n)
    day = start
    while remaining:
        day += timedelta(days=step)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(a: date, b: date) -> int:
    """Working days after `a` up to and including `b`; negative when `b` is before `a`.

    So `working_days_between(a, add_working_days(a, n)) == n`.
    """
    if b < a:
        return -working_days_between(b, a)
    count = 0
    day = a
    while day < b:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def years_to_check(today: date | None = None) -> list[int]:
    """This year, and next year from October on, when deadlines begin to reach into it."""
    today = today or timezone.localdate()
    years = [today.year]
    if today.month >= 10:
        years.append(today.year + 1)
    return years


def missing_calendar_years(today: date | None = None) -> list[int]:
    """The years to check (years_to_check) with no holiday schedule loaded, from the per-process
    cache of the table that working-day counts read (every page's banner asks)."""
    return [year for year in years_to_check(today) if not is_year_loaded(year)]
