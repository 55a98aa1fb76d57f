"""Issue #16, "Done when": the complaint loop closes only when the default is cured, and only the
office's deadlines are supervised. PostgreSQL, and a real Celery worker for what the office's
machinery does on its own (the deadline sweep, the complainants' windows ending).

Three complaints against the same street office, assigned to the finance bureau on Friday
26 September 2025: the working days run over National Day (Sunday 28 September and Saturday
11 October are working days, 1–8 October are not), so every date below comes from the calendar.

1. 12345 arrears, substantiated, 10 working days to pay: the body misses the date (the sweep issues
   the supervision order against the department), pays half, and a clerk confirms the breach:
   one breach entry on the body's integrity record, its history with the payment.
2. Arrears, substantiated: paid in full within the period, rectification reported, verified, the
   complainant confirms: noted as cured, not a breach.
3. 12345, unsubstantiated, the complainant silent: the window ends without a reminder or an order,
   and the complaint is deemed satisfied only after a call-back that did not reach them.
"""

from datetime import date, datetime, time

import pytest
import time_machine
from django.utils import timezone

from cases.complaints import callbacks, rectification
from cases.complaints import intake as complaint_intake
from cases.complaints import services as complaints
from cases.complaints.models import Channel, Complaint, EntryKind, IntegrityEntry, Outcome, SatisfactionSource
from cases.complaints.tasks import confirm_overdue_answers
from cases.core import workdays
from cases.core.event_types import DeadlineStep, EventType
from cases.core.exceptions import Conflict
from cases.core.models import AuditEvent, Deadline, Department
from cases.core.roles import Role
from cases.supervision import services as supervision
from cases.supervision.models import SupervisionOrder
from cases.supervision.tasks import sweep_deadlines
from notifications.models import Notification
from tests.factories import ApplicantFactory, StaffFactory, valid_uscc, work_order_data

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True), pytest.mark.timeout(600)]

ANSWERED_ON = date(2025, 9, 26)  # a Friday, before National Day
USCC = valid_uscc("91620702MA71ABCD0")
RESPONDENT = "区某街道办事处"
PHONE = "13912345678"
DEADLINE_EVENTS = (EventType.DEADLINE_REMINDED, EventType.DEADLINE_SUPERVISED, EventType.DEADLINE_ESCALATED)


def at(day: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def on(day: date):
    """The test process's clock on `day` (the worker keeps its own: the sweep is told the moment)."""
    return time_machine.travel(at(day), tick=False)


def sweep(worker, day: date) -> dict:
    return sweep_deadlines.apply_async(kwargs={"now": at(day).isoformat()}, queue=worker.queue).get(timeout=60)


def deem_overdue(worker) -> int:
    """The periodic task, in the worker, at the worker's own (real) time: long after 2025."""
    return confirm_overdue_answers.apply_async(queue=worker.queue).get(timeout=60)


@pytest.fixture
def people():
    return {
        "clerk": StaffFactory(username="clerk", department__code="yshj", role=Role.INTAKE_CLERK),
        "supervisor": StaffFactory(username="sup", department__code="yshj", role=Role.SUPERVISOR),
        "worker": StaffFactory(username="worker", department__code="czj"),
        "head": StaffFactory(username="head", department__code="czj", role=Role.DEPARTMENT_HEAD),
        "firm": ApplicantFactory(username="firm", id_number=USCC),
    }


def received(channel, reference, **data) -> Complaint:
    complaint, _created = complaint_intake.receive(channel=channel, data=work_order_data(reference, **data))
    return complaint


def taken_up(people, complaint, *, subject="arrears") -> None:
    clerk, worker = people["clerk"], people["worker"]
    complaints.register(actor=clerk, complaint_id=complaint.pk, subject=subject, respondent=RESPONDENT)
    complaints.assign(actor=clerk, complaint_id=complaint.pk, department_id=Department.objects.get(code="czj").pk)
    complaints.start_work(actor=worker, complaint_id=complaint.pk)


def pay(people, complaint, amount, day: date) -> None:
    complaints.record_payment(actor=people["worker"], complaint_id=complaint.pk, amount=amount, paid_on=day,
                              proof=f"银行回单 {complaint.pk}-{amount}")  # fmt: skip


def state_of(complaint) -> str:
    complaint.refresh_from_db()
    complaint.case.refresh_from_db()
    return complaint.case.state


def test_only_a_confirmed_breach_is_entered_and_only_the_office_is_supervised(celery_worker, people):
    hotline = Channel.objects.create(code="12345", name="12345 热线", secret="s", callback_required=True)
    website = Channel.objects.create(code="website", name="网站", secret="s")
    worker, clerk = people["worker"], people["clerk"]
    department = Department.objects.get(code="czj")

    with on(ANSWERED_ON):
        defaulted = received(hotline, "12345-20250926-0001", complainant_phone=PHONE)
        cured = received(website, "W-20250926-0002")
        cured.complainant = people["firm"]
        cured.save(update_fields=["complainant"])
        silent = received(hotline, "12345-20250926-0003", complainant_phone="13987654321", subject="other_breach",
                          facts="街道办未按约定兑现补贴。")  # fmt: skip
        for complaint in (defaulted, cured):
            taken_up(people, complaint)
            complaints.confirm_amount(actor=worker, complaint_id=complaint.pk, amount="860000")
            complaints.answer(actor=worker, complaint_id=complaint.pk, finding="substantiated",
                              text="情况属实，责令十个工作日内付清。", rectify_days=10)  # fmt: skip
        taken_up(people, silent, subject="other_breach")
        complaints.answer(actor=worker, complaint_id=silent.pk, finding="unsubstantiated",
                          text="补贴以验收合格为条件，尚未验收。")  # fmt: skip

    # Ten working days from Friday 26 September: over National Day, to Thursday 16 October.
    due_on = workdays.add_working_days(ANSWERED_ON, 10)
    assert due_on == date(2025, 10, 16)
    rectify = Deadline.objects.get(case=defaulted.case, step=DeadlineStep.COMPLAINT_RECTIFY)
    assert (state_of(defaulted), rectify.due_on, rectify.department_id) == ("rectifying", due_on, department.pk)
    window = Deadline.objects.get(case=silent.case, step=DeadlineStep.COMPLAINT_CONFIRM)
    window_ends = workdays.add_working_days(ANSWERED_ON, 5)  # the policy's 5 working days: Friday 10 October
    assert (window.due_on, window.supervised, window.next_action_at) == (window_ends, False, None)

    # The second complaint is cured within its period: paid in full, shown, verified, confirmed.
    with on(date(2025, 10, 9)):
        pay(people, cured, "860000", date(2025, 10, 9))
        rectification.report_rectified(actor=worker, complaint_id=cured.pk, evidence="银行回单：86 万元已全额支付")
    with on(date(2025, 10, 10)):
        rectification.verify(actor=clerk, complaint_id=cured.pk, note="回单核实无误")
        complaints.confirm(actor=people["firm"], complaint_id=cured.pk)
    assert state_of(cured) == "closed" and cured.outcome == Outcome.CURED

    # The sweep, in the worker, day by day: the silent complainant's window ended on 10 October,
    # and nothing fires for it on the next working day (Saturday 11 October, worked for National
    # Day); the first complaint's rectification is reminded two working days before its date, and
    # the day after the date a supervision order goes to the department.
    day_after_window = workdays.add_working_days(window_ends, 1)
    remind_on = workdays.add_working_days(due_on, -2)
    expected = {
        day_after_window: {},
        remind_on: {EventType.DEADLINE_REMINDED.value: 1},
        due_on: {},
        date(2025, 10, 17): {EventType.DEADLINE_SUPERVISED.value: 1},
    }
    assert list(expected) == [date(2025, 10, 11), date(2025, 10, 14), date(2025, 10, 16), date(2025, 10, 17)]
    for day, fired in expected.items():
        assert sweep(celery_worker, day) == fired, day

    [order] = SupervisionOrder.objects.all()
    assert (order.case_id, order.deadline_id, order.department_id) == (defaulted.case_id, rectify.pk, department.pk)
    assert all(fact in order.reason for fact in (defaulted.case.number, rectify.label, due_on.isoformat()))
    assert PHONE not in order.reason
    supervised = AuditEvent.objects.get(event_type=EventType.DEADLINE_SUPERVISED)
    assert supervised.subject_id == defaulted.case_id
    assert supervised.payload["step"] == DeadlineStep.COMPLAINT_RECTIFY
    told = Notification.objects.filter(kind="deadline.overdue")
    assert set(told.values_list("recipient__username", flat=True)) == {"worker", "head", "sup"}
    assert not told.filter(phone__isnull=False).exclude(phone="").exists()  # not the complainant
    assert not Notification.objects.filter(phone=PHONE, kind__startswith="deadline.").exists()

    # Half paid after the order; the period has passed: a clerk confirms the breach.
    with on(date(2025, 10, 20)):
        pay(people, defaulted, "430000", date(2025, 10, 20))
        assert state_of(defaulted) == "rectifying"
    with on(date(2025, 10, 21)):
        rectification.confirm_breach(actor=clerk, complaint_id=defaulted.pk, finding="逾期未整改，仅支付一半欠款。")
    assert state_of(defaulted) == "closed" and defaulted.outcome == Outcome.BREACH

    entries = IntegrityEntry.objects.filter(body__name=RESPONDENT)
    [breach] = entries.filter(kind=EntryKind.BREACH)
    assert (breach.complaint_id, breach.confirmed_by_id, breach.finding) == (
        defaulted.pk, clerk.pk, "逾期未整改，仅支付一半欠款。")  # fmt: skip
    steps = [item["event"] for item in breach.history]
    assert steps == [EventType.COMPLAINT_ORDER_RECTIFICATION, EventType.DEADLINE_SUPERVISED, EventType.ARREARS_PAYMENT,
                     EventType.COMPLAINT_CONFIRM_BREACH]  # fmt: skip
    assert breach.history[2]["payload"]["amount"] == "430000.00"
    assert entries.get(complaint=cured).kind == EntryKind.CURED  # noted as cured, not a breach
    assert entries.count() == 2

    # The silent complainant: a hotline complaint is not deemed satisfied before a call-back.
    assert window.due_at < timezone.now()  # the worker's clock is long past the window
    assert deem_overdue(celery_worker) == 0
    assert state_of(silent) == "answered"
    with on(date(2025, 10, 13)):
        callbacks.record(actor=clerk, complaint_id=silent.pk, reached=False, note="两次拨打无人接听")
    assert deem_overdue(celery_worker) == 1
    assert state_of(silent) == "closed"
    assert (silent.satisfied, silent.confirmed_by_default, silent.satisfaction_source, silent.outcome) == (
        True, True, SatisfactionSource.DEEMED, Outcome.UNSUBSTANTIATED)  # fmt: skip
    assert deem_overdue(celery_worker) == 0  # once

    # No reminder, order or escalation for the complainant's window, against anyone.
    window.refresh_from_db()
    assert (window.stage, window.closed_at is not None) == (0, True)
    assert not SupervisionOrder.objects.filter(case=silent.case).exists()
    assert not AuditEvent.objects.for_subject(silent.case).filter(event_type__in=DEADLINE_EVENTS).exists()
    assert not Notification.objects.filter(case=silent.case, kind__startswith="deadline.").exists()
    assert not IntegrityEntry.objects.filter(complaint=silent).exists()
    assert SupervisionOrder.objects.count() == 1


def test_a_breach_is_not_confirmed_before_the_period_ends(people):
    """The refusal on the same database: a clerk cannot record a breach while the body still has time."""
    hotline = Channel.objects.create(code="12345", name="12345 热线", secret="s", callback_required=True)
    with on(ANSWERED_ON):
        complaint = received(hotline, "12345-20250926-0009", complainant_phone=PHONE)
        taken_up(people, complaint)
        complaints.answer(actor=people["worker"], complaint_id=complaint.pk, finding="substantiated",
                          text="情况属实。", rectify_days=10)  # fmt: skip
    with on(date(2025, 10, 16)), pytest.raises(Conflict):
        rectification.confirm_breach(actor=people["clerk"], complaint_id=complaint.pk, finding="逾期未整改")
    assert state_of(complaint) == "rectifying"
    assert not IntegrityEntry.objects.exists()


def test_a_supervisors_own_order_is_never_about_the_complainants_window(people):
    """A supervisor may still order the department about a case that awaits the complainant, but the
    order is not on the complainant's confirmation window: that is not the department's time."""
    hotline = Channel.objects.create(code="12345", name="12345 热线", secret="s", callback_required=True)
    with on(ANSWERED_ON):
        complaint = received(hotline, "12345-20250926-0010", complainant_phone=PHONE, subject="other_breach")
        taken_up(people, complaint, subject="other_breach")
        complaints.answer(actor=people["worker"], complaint_id=complaint.pk, finding="unsubstantiated", text="不属实。")
        order = supervision.issue_supervision_order(case_id=complaint.case_id, actor=people["supervisor"],
                                                    reason="请说明答复依据")  # fmt: skip
    assert Deadline.objects.filter(case=complaint.case, step=DeadlineStep.COMPLAINT_CONFIRM, closed_at=None).exists()
    assert (order.department.code, order.deadline) == ("czj", None)
