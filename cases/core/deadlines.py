"""Deadlines of case steps in working days: start, pause, resume, close, and the stages of
supervision (催办 → 督办单 → 挂牌督办) with the times at which each falls due."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from django.utils import timezone

from cases.core import policies, workdays
from cases.core.models import Deadline, Stage


def office_zone():
    """The office's time zone (settings.TIME_ZONE): every deadline is counted and shown in it,
    whatever time zone a request or a worker has active."""
    return timezone.get_default_timezone()


def office_today(now: datetime | None = None) -> date:
    """The office's calendar date at `now` (default: now)."""
    return timezone.localdate(now or timezone.now(), office_zone())


@lru_cache(maxsize=4096)
def start_of_day(day: date) -> datetime:
    """Midnight at the office at the start of `day`."""
    return timezone.make_aware(datetime.combine(day, time.min), office_zone())


def due_date(value) -> date | None:
    """The date a deadline falls due — its last day, at the office — as every page, message,
    notice and export shows it.

    Takes a Deadline, a date, or an "overdue from" instant (Deadline.due_at, Case.next_due_at):
    that instant is the office's midnight after the last day, so its own calendar date is one
    day late (and in UTC it is the day before): the due date is the office's date of the moment
    just before it.
    """
    if value is None or value == "":
        return None
    if isinstance(value, Deadline):
        return value.due_on
    if isinstance(value, datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value, office_zone())
        return timezone.localtime(value - timedelta(microseconds=1), office_zone()).date()
    return value


@dataclass(frozen=True)
class SupervisionRules:
    remind_before: int
    escalate_after: int

    @classmethod
    def for_kind(cls, kind: str) -> "SupervisionRules":
        return cls(
            remind_before=policies.working_days(kind, "remind_before"),
            escalate_after=policies.working_days(kind, "escalate_after"),
        )


def stage_times(deadline: Deadline, kind: str, rules: SupervisionRules | None = None) -> dict[int, datetime]:
    """When each supervision stage of this deadline falls due.

    Reminder: the start of the working day `remind_before` working days before the due date.
    Supervision order: the start of the day after the due date (the step is overdue).
    Escalation: the start of the day on which the step is `escalate_after` working days overdue.
    """
    rules = rules or SupervisionRules.for_kind(kind)
    remind_on = workdays.add_working_days(deadline.due_on, -rules.remind_before)
    escalate_on = workdays.add_working_days(deadline.due_on, rules.escalate_after)
    return {
        Stage.REMINDED: start_of_day(remind_on),
        Stage.SUPERVISED: deadline.due_at,
        Stage.ESCALATED: start_of_day(escalate_on),
    }


def next_action_at(deadline: Deadline, kind: str, times: dict[int, datetime] | None = None) -> datetime | None:
    if deadline.closed_at or deadline.paused_at or not deadline.supervised:
        return None
    times = times or stage_times(deadline, kind)
    later = [at for stage, at in times.items() if stage > deadline.stage]
    return min(later) if later else None


def set_due(deadline: Deadline, kind: str, start: date, working_days: int) -> None:
    deadline.started_on = start
    deadline.due_on = workdays.add_working_days(start, working_days)
    deadline.due_at = start_of_day(deadline.due_on + timedelta(days=1))
    deadline.next_action_at = next_action_at(deadline, kind)


def build(
    *,
    case,
    step: str,
    label: str,
    department,
    working_days: int,
    assignee=None,
    start: date | None = None,
    supervised: bool = True,
) -> Deadline:
    deadline = Deadline(
        case=case,
        step=step,
        label=label,
        department=department,
        assignee=assignee,
        working_days=working_days,
        supervised=supervised,
    )
    set_due(deadline, case.kind, start or office_today(), working_days)
    return deadline


def pause(deadline: Deadline, now: datetime) -> None:
    """Stop the clock (e.g. while the applicant corrects materials): keep the working days left."""
    today = office_today(now)
    deadline.remaining_working_days = max(workdays.working_days_between(today, deadline.due_on), 0)
    deadline.paused_at = now
    deadline.next_action_at = None


def resume(deadline: Deadline, kind: str, now: datetime) -> None:
    """Start the clock again with the working days that were left when it stopped."""
    remaining = deadline.remaining_working_days or 0
    deadline.paused_at = None
    deadline.remaining_working_days = None
    deadline.stage = Stage.WATCHED
    set_due(deadline, kind, office_today(now), remaining)


def working_days_overdue(deadline: Deadline, today: date) -> int:
    return max(workdays.working_days_between(deadline.due_on, today), 0)
