"""Deadlines in working days, the clock that stops, and the sweep that fires each stage once."""

from datetime import date, datetime, time

import pytest
import time_machine
from django.utils import timezone

from cases.core import deadlines, services
from cases.core.models import AuditEvent, Deadline, Stage
from cases.core.roles import Role
from cases.supervision import sweep as supervision
from cases.supervision.models import SupervisionOrder
from notifications.models import Notification
from tests.factories import CaseFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def at(day: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.fixture
def people(db):
    return {
        "assignee": StaffFactory(username="assignee"),
        "head": StaffFactory(username="head", role=Role.DEPARTMENT_HEAD),
        "supervisor": StaffFactory(username="sup", department__code="yshj", role=Role.SUPERVISOR),
        "other_head": StaffFactory(username="other-head", department__code="fgj", role=Role.DEPARTMENT_HEAD),
    }


@pytest.fixture
def national_day_deadline(people):
    """15 working days for the department's answer, started Fri 26 Sep 2025 (over National Day)."""
    case = CaseFactory(assignee=people["assignee"])
    return services.start_deadline(
        case=case, step="complaint.answer", label="部门答复", policy_key="answer_within", start=date(2025, 9, 26)
    )


def sweep_on(day: date, hour: int = 9):
    return supervision.sweep(now=at(day, hour))


def test_due_date_skips_the_holiday_and_counts_the_adjusted_day(national_day_deadline):
    # Sun 28 Sep and Sat 11 Oct 2025 are adjusted working days; 1–8 Oct are off.
    assert national_day_deadline.due_on == date(2025, 10, 23)
    assert national_day_deadline.due_at == at(date(2025, 10, 24), 0)


def test_starting_a_deadline_is_on_the_record(national_day_deadline):
    event = AuditEvent.objects.for_subject(national_day_deadline.case).get(event_type="deadline.started")
    assert event.payload["due_on"] == "2025-10-23"


def test_nothing_fires_before_the_reminder_day(national_day_deadline):
    assert sweep_on(date(2025, 10, 20)).total == 0
    assert not Notification.objects.exists()


def test_reminder_fires_two_working_days_before_due(national_day_deadline, people):
    report = sweep_on(date(2025, 10, 21))
    assert report.fired == {"deadline.reminded": 1}
    recipients = set(
        Notification.objects.filter(kind="deadline.reminder").values_list("recipient__username", flat=True)
    )
    assert recipients == {"assignee", "head", "sup"}


def test_reminder_fires_once_however_often_the_sweep_runs(national_day_deadline):
    sweep_on(date(2025, 10, 21))
    sweep_on(date(2025, 10, 21), 10)
    sweep_on(date(2025, 10, 22))
    assert AuditEvent.objects.filter(event_type="deadline.reminded").count() == 1


def test_supervision_order_the_day_after_the_due_date(national_day_deadline):
    sweep_on(date(2025, 10, 21))
    assert sweep_on(date(2025, 10, 23), 23).total == 0
    assert sweep_on(date(2025, 10, 24), 0).fired == {"deadline.supervised": 1}
    order = SupervisionOrder.objects.get()
    assert (order.level, order.department.code, order.issued_by) == ("order", "scjg", None)
    assert "逾期" in order.reason


def test_escalation_when_five_working_days_overdue(national_day_deadline):
    sweep_on(date(2025, 10, 21))
    sweep_on(date(2025, 10, 24))
    assert sweep_on(date(2025, 10, 29)).total == 0
    assert sweep_on(date(2025, 10, 30)).fired == {"deadline.escalated": 1}
    assert SupervisionOrder.objects.filter(level="escalation").count() == 1
    deadline = Deadline.objects.get()
    assert (deadline.stage, deadline.next_action_at) == (Stage.ESCALATED, None)


def test_a_sweep_that_was_down_fires_every_missed_stage_once(national_day_deadline):
    assert sweep_on(date(2025, 11, 5)).fired == {
        "deadline.reminded": 1,
        "deadline.supervised": 1,
        "deadline.escalated": 1,
    }
    assert sweep_on(date(2025, 11, 6)).total == 0


def test_urgent_stages_go_by_email_whatever_the_preference(national_day_deadline, people):
    people["head"].email = "head@example.org"
    people["head"].save()
    sweep_on(date(2025, 10, 24))
    overdue = Notification.objects.get(kind="deadline.overdue", recipient=people["head"])
    assert overdue.via_live and overdue.via_email


def test_the_clock_stops_while_paused_and_restarts_with_the_days_left(national_day_deadline):
    case = national_day_deadline.case
    with time_machine.travel(at(date(2025, 10, 13))):
        paused = services.pause_deadline(case=case, step="complaint.answer")
    assert paused.remaining_working_days == 8
    assert sweep_on(date(2025, 10, 30)).total == 0
    with time_machine.travel(at(date(2025, 11, 3))):
        resumed = services.resume_deadline(case=case, step="complaint.answer")
    assert resumed.due_on == date(2025, 11, 13)
    assert resumed.next_action_at == at(date(2025, 11, 11), 0)


def test_pausing_twice_is_refused(national_day_deadline):
    from cases.core.exceptions import IllegalTransition

    services.pause_deadline(case=national_day_deadline.case, step="complaint.answer")
    with pytest.raises(IllegalTransition):
        services.pause_deadline(case=national_day_deadline.case, step="complaint.answer")


def test_a_closed_deadline_is_never_swept(national_day_deadline):
    services.close_deadline(case=national_day_deadline.case, step="complaint.answer")
    assert sweep_on(date(2025, 12, 1)).total == 0


def test_sweep_works_in_batches(people):
    for _ in range(5):
        services.start_deadline(
            case=CaseFactory(), step="complaint.answer", label="部门答复", policy_key="answer_within",
            start=date(2025, 3, 3),
        )  # fmt: skip
    report = supervision.sweep(now=at(date(2025, 3, 20)), batch_size=2)
    assert report.fired == {"deadline.reminded": 5}
    assert report.batches == 3


def test_case_numbers_count_up_per_kind_and_year(people):
    first = services.open_case(kind="complaint", title="a", actor=None, state="received")
    second = services.open_case(kind="complaint", title="b", actor=None, state="received")
    repair = services.open_case(kind="repair", title="c", actor=None, state="draft")
    year = timezone.localdate().year
    assert (first.number, second.number, repair.number) == (f"TS{year}000001", f"TS{year}000002", f"XF{year}000001")
    assert len(first.verification_code) == 8


def test_supervisors_notification_text_is_chinese(national_day_deadline, people):
    sweep_on(date(2025, 10, 21))
    note = Notification.objects.get(recipient=people["supervisor"])
    assert note.title.startswith("催办")
    assert "2025-10-23" in note.body


def test_staff_without_role_get_nothing(national_day_deadline):
    bystander = UserFactory(username="bystander")
    sweep_on(date(2025, 10, 24))
    assert not Notification.objects.filter(recipient=bystander).exists()


# --- the clock's own rules (cases.core.deadlines), given a moment rather than read from the clock -----


def test_a_deadline_keeps_the_label_of_its_step(national_day_deadline):
    assert Deadline.objects.get(pk=national_day_deadline.pk).label == "部门答复"


def test_a_paused_deadline_has_no_next_action(national_day_deadline):
    deadlines.pause(national_day_deadline, at(date(2025, 10, 9)))
    assert deadlines.next_action_at(national_day_deadline, "complaint") is None


def test_a_closed_deadline_has_no_next_action(national_day_deadline):
    national_day_deadline.closed_at = at(date(2025, 10, 9))
    assert deadlines.next_action_at(national_day_deadline, "complaint") is None


def test_pausing_counts_the_days_left_from_the_moment_given(national_day_deadline):
    # Due 23 October 2025; paused on Thursday 16 October, whatever today's real date.
    deadlines.pause(national_day_deadline, at(date(2025, 10, 16)))
    assert national_day_deadline.remaining_working_days == 5


def test_resuming_counts_the_days_left_from_the_moment_given(national_day_deadline):
    deadlines.pause(national_day_deadline, at(date(2025, 10, 16)))
    deadlines.resume(national_day_deadline, "complaint", at(date(2025, 11, 3)))  # a Monday
    assert national_day_deadline.due_on == date(2025, 11, 10)


def test_a_deadline_resumed_with_nothing_left_is_due_the_day_it_resumes(national_day_deadline):
    deadlines.pause(national_day_deadline, at(date(2025, 10, 24)))  # the day after it was due
    assert national_day_deadline.remaining_working_days == 0
    deadlines.resume(national_day_deadline, "complaint", at(date(2025, 11, 3)))
    assert national_day_deadline.due_on == date(2025, 11, 3)
