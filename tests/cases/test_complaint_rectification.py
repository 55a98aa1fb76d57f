"""The rectification stage of a substantiated complaint, the integrity record's rules, call-backs,
withdrawal and the department's return after starting (docs/domain.md, "Complaints"), through
the services, with every refusal."""

from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone
from viewflow.fsm import TransitionNotAllowed

from cases.complaints import callbacks, rectification
from cases.complaints import intake as complaint_intake
from cases.complaints import services as complaints
from cases.complaints.models import CallBack, Channel, ChannelCallback, IntegrityEntry
from cases.core import workdays
from cases.core.exceptions import Conflict, InvalidInput, NotFound, NotPermitted
from cases.core.models import Deadline, Department, Stage
from cases.supervision import sweep as supervision
from cases.supervision.models import SupervisionOrder
from tests.factories import ApplicantFactory, complaint_office, valid_uscc

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 16)  # a Monday


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.combine(TODAY, time(10)), tick=False):
        yield


@pytest.fixture
def people(db):
    return complaint_office()


def receive(people, reference="W-1", channel_code="website", callback_url=""):
    channel, _created = Channel.objects.get_or_create(code=channel_code, defaults={
        "name": channel_code, "secret": "s", "callback_url": callback_url,
        "callback_required": channel_code in ("12345", "phone"),
    })  # fmt: skip
    complaint, _created = complaint_intake.receive(channel=channel, data={
        "reference": reference, "complainant_name": "张经理", "enterprise_name": "示范公司",
        "enterprise_uscc": valid_uscc("91620702MA71ABCD0"), "respondent": "区某局", "subject": "other_breach",
        "facts": "合同约定的场地未交付"})  # fmt: skip
    if channel_code == "website":
        complaint.complainant = people["complainant"]
        complaint.save()
    return complaint


@pytest.fixture
def complaint(people):
    return receive(people)


def in_progress(people, complaint):
    complaints.register(actor=people["clerk"], complaint_id=complaint.pk, subject="other_breach", respondent="区某局")
    czj = Department.objects.get(code="czj").pk
    complaints.assign(actor=people["clerk"], complaint_id=complaint.pk, department_id=czj)
    complaints.start_work(actor=people["worker"], complaint_id=complaint.pk)
    return complaint


def substantiated(people, complaint, **answer):
    in_progress(people, complaint)
    complaints.answer(actor=people["worker"], complaint_id=complaint.pk, finding="substantiated",
                      text="确属违约，限期整改", **answer)  # fmt: skip
    return complaint


def state(complaint):
    complaint.case.refresh_from_db()
    return complaint.case.state


def rectify_deadline(complaint):
    return Deadline.objects.filter(case=complaint.case, step="complaint.rectify").latest("id")


def after(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time(9)))


# --- the answer opens the rectification stage ----------------------------------------------------


def test_a_substantiated_answer_keeps_the_complaint_open_in_rectification(people, complaint):
    substantiated(people, complaint)
    assert state(complaint) == "rectifying" and complaint.case.closed_at is None
    deadline = rectify_deadline(complaint)
    assert deadline.supervised and deadline.working_days == 15 and deadline.department.code == "czj"
    complaint.refresh_from_db()
    assert complaint.remedy == "perform"


def test_the_answer_sets_the_rectification_period_in_working_days(people, complaint):
    substantiated(people, complaint, remedy="pay", rectify_days=10)
    assert rectify_deadline(complaint).due_on == workdays.add_working_days(TODAY, 10)


@pytest.mark.parametrize(("field", "answer"), [("remedy", {"remedy": "apologise"}),
                                               ("rectify_days", {"rectify_days": 0}),
                                               ("rectify_days", {"rectify_days": 31})])  # fmt: skip
def test_a_substantiated_answer_needs_a_known_remedy_and_a_sensible_period(people, complaint, field, answer):
    in_progress(people, complaint)
    with pytest.raises(InvalidInput) as refused:
        complaints.answer(actor=people["worker"], complaint_id=complaint.pk, finding="substantiated", text="属实",
                          **answer)  # fmt: skip
    assert field in refused.value.details
    assert state(complaint) == "in_progress"


def test_an_unsubstantiated_answer_goes_to_the_complainant_without_rectification(people, complaint):
    in_progress(people, complaint)
    complaints.answer(actor=people["worker"], complaint_id=complaint.pk, finding="unsubstantiated", text="合同未约定")
    assert state(complaint) == "answered"
    assert not Deadline.objects.filter(case=complaint.case, step="complaint.rectify").exists()


# --- cured: reported with evidence, verified, confirmed by the complainant -------------------------


def test_a_cured_default_closes_cured_after_the_complainant_confirms_the_outcome(people, complaint):
    substantiated(people, complaint)
    rectification.report_rectified(actor=people["worker"], complaint_id=complaint.pk, evidence="场地已交付，附交接单")
    assert state(complaint) == "rectification_reported"
    rectification.verify(actor=people["clerk"], complaint_id=complaint.pk)
    assert state(complaint) == "rectified"
    window = Deadline.objects.get(case=complaint.case, step="complaint.confirm")
    assert not window.supervised
    complaints.confirm(actor=people["complainant"], complaint_id=complaint.pk)
    complaint.refresh_from_db()
    assert state(complaint) == "closed" and complaint.outcome == "cured"
    assert complaint.satisfaction_source == "complainant"
    entry = IntegrityEntry.objects.get()
    assert entry.kind == "cured" and entry.confirmed_by is None


def test_rectification_cannot_be_reported_without_evidence(people, complaint):
    substantiated(people, complaint)
    with pytest.raises(InvalidInput) as refused:
        rectification.report_rectified(actor=people["worker"], complaint_id=complaint.pk, evidence="  ")
    assert "evidence" in refused.value.details
    assert state(complaint) == "rectifying"


def test_another_department_cannot_report_the_rectification(people, complaint):
    substantiated(people, complaint)
    with pytest.raises(NotPermitted):
        rectification.report_rectified(actor=people["wrong_worker"], complaint_id=complaint.pk, evidence="凭证")


def test_a_rectification_without_evidence_cannot_be_verified(people, complaint):
    substantiated(people, complaint)
    with pytest.raises(Conflict):
        rectification.verify(actor=people["clerk"], complaint_id=complaint.pk)
    assert state(complaint) == "rectifying"


def test_only_a_clerk_or_supervisor_verifies(people, complaint):
    substantiated(people, complaint)
    rectification.report_rectified(actor=people["worker"], complaint_id=complaint.pk, evidence="凭证")
    with pytest.raises(NotPermitted):
        rectification.verify(actor=people["worker"], complaint_id=complaint.pk)
    rectification.verify(actor=people["supervisor"], complaint_id=complaint.pk)
    assert state(complaint) == "rectified"


def test_evidence_sent_back_keeps_the_date_already_set(people, complaint):
    substantiated(people, complaint)
    due_on = rectify_deadline(complaint).due_on
    rectification.report_rectified(actor=people["worker"], complaint_id=complaint.pk, evidence="口头承诺")
    with pytest.raises(InvalidInput):
        rectification.send_back(actor=people["clerk"], complaint_id=complaint.pk, reason="")
    rectification.send_back(actor=people["clerk"], complaint_id=complaint.pk, reason="口头承诺不是整改证据")
    assert state(complaint) == "rectifying"
    again = rectify_deadline(complaint)
    assert again.closed_at is None and again.due_on == due_on


# --- breach: refused or overdue, confirmed, on the integrity record --------------------------------


def test_a_refusal_confirmed_is_one_breach_entry_with_its_history(people, complaint):
    substantiated(people, complaint)
    rectification.report_refusal(actor=people["worker"], complaint_id=complaint.pk, statement="书面答复不予履行")
    assert state(complaint) == "refused"
    rectification.confirm_breach(actor=people["clerk"], complaint_id=complaint.pk, finding="拒不整改，确认违约失信")
    complaint.refresh_from_db()
    assert state(complaint) == "closed" and complaint.outcome == "breach"
    entry = IntegrityEntry.objects.get()
    assert (entry.kind, entry.body.name, entry.finding, entry.confirmed_by) == (
        "breach",
        "区某局",
        "拒不整改，确认违约失信",
        people["clerk"],
    )
    events = [step["event"] for step in entry.history]
    assert events[0] == "complaint.order_rectification" and "complaint.report_refusal" in events


def test_a_breach_is_not_confirmed_while_the_period_runs(people, complaint):
    substantiated(people, complaint, rectify_days=10)
    with pytest.raises(Conflict):
        rectification.confirm_breach(actor=people["clerk"], complaint_id=complaint.pk, finding="逾期未整改")
    assert not IntegrityEntry.objects.exists()


def test_the_period_passed_uncured_is_confirmed_as_a_breach(people, complaint):
    substantiated(people, complaint, rectify_days=10)
    due_on = rectify_deadline(complaint).due_on
    with time_machine.travel(after(due_on), tick=False):
        rectification.confirm_breach(actor=people["supervisor"], complaint_id=complaint.pk, finding="逾期未整改")
    assert IntegrityEntry.objects.get().kind == "breach"


def test_a_department_cannot_confirm_a_breach(people, complaint):
    substantiated(people, complaint)
    rectification.report_refusal(actor=people["worker"], complaint_id=complaint.pk, statement="拒绝")
    with pytest.raises(NotPermitted):
        rectification.confirm_breach(actor=people["head"], complaint_id=complaint.pk, finding="拒不整改")


def test_a_breach_needs_a_written_finding(people, complaint):
    substantiated(people, complaint)
    rectification.report_refusal(actor=people["worker"], complaint_id=complaint.pk, statement="拒绝")
    with pytest.raises(InvalidInput):
        rectification.confirm_breach(actor=people["clerk"], complaint_id=complaint.pk, finding=" ")


def test_no_breach_entry_is_written_without_a_confirmed_breach(people, complaint):
    substantiated(people, complaint)
    with pytest.raises(Conflict):
        rectification.record_breach(complaint, people["clerk"], "确认违约")
    assert not IntegrityEntry.objects.exists()


def test_the_rectification_period_is_supervised_against_the_department(people, complaint):
    substantiated(people, complaint, rectify_days=10)
    due_on = rectify_deadline(complaint).due_on
    report = supervision.sweep(now=after(due_on))
    assert report.total >= 1
    order = SupervisionOrder.objects.get(case=complaint.case)
    assert order.department.code == "czj" and order.deadline.step == "complaint.rectify"


def test_a_breach_entry_is_marked_repaired_once_when_the_body_performs(people, complaint):
    substantiated(people, complaint)
    rectification.report_refusal(actor=people["worker"], complaint_id=complaint.pk, statement="拒绝")
    rectification.confirm_breach(actor=people["clerk"], complaint_id=complaint.pk, finding="拒不整改")
    entry = IntegrityEntry.objects.get()
    with pytest.raises(NotPermitted):
        rectification.mark_repaired(actor=people["clerk"], entry_id=entry.pk, note="已履约")
    with pytest.raises(InvalidInput):
        rectification.mark_repaired(actor=people["supervisor"], entry_id=entry.pk, note="")
    rectification.mark_repaired(actor=people["supervisor"], entry_id=entry.pk, note="2027 年 1 月已履约")
    entry.refresh_from_db()
    assert entry.repaired_by == people["supervisor"] and entry.kind == "breach"
    with pytest.raises(Conflict):
        rectification.mark_repaired(actor=people["supervisor"], entry_id=entry.pk, note="再次")


def test_a_cured_entry_is_not_repaired(people, complaint):
    substantiated(people, complaint)
    rectification.report_rectified(actor=people["worker"], complaint_id=complaint.pk, evidence="凭证")
    rectification.verify(actor=people["clerk"], complaint_id=complaint.pk)
    complaints.confirm(actor=people["complainant"], complaint_id=complaint.pk)
    with pytest.raises(Conflict):
        rectification.mark_repaired(actor=people["supervisor"], entry_id=IntegrityEntry.objects.get().pk, note="x")


# --- the complainant's window is not the department's deadline ------------------------------------


def test_the_confirmation_window_produces_no_reminder_or_order_against_the_department(people, complaint):
    in_progress(people, complaint)
    complaints.answer(actor=people["worker"], complaint_id=complaint.pk, finding="unsubstantiated", text="合同未约定")
    window = Deadline.objects.get(case=complaint.case, step="complaint.confirm")
    assert window.next_action_at is None
    complaint.case.refresh_from_db()
    assert complaint.case.next_due_at is None and complaint.case.supervision_stage == Stage.WATCHED
    assert supervision.sweep(now=after(window.due_on + timedelta(days=14))).total == 0
    assert not SupervisionOrder.objects.exists()


# --- call-backs (回访) -------------------------------------------------------------------------------


@pytest.fixture
def hotline(people):
    complaint = receive(people, "H-1", channel_code="12345")
    in_progress(people, complaint)
    complaints.answer(actor=people["worker"], complaint_id=complaint.pk, finding="unsubstantiated", text="合同未约定")
    return complaint


def test_a_hotline_complaint_is_not_deemed_satisfied_before_a_failed_call_back(people, hotline):
    due = Deadline.objects.get(case=hotline.case, step="complaint.confirm").due_at
    assert complaints.confirm_overdue_answers(now=due) == 0
    assert state(hotline) == "answered"
    callbacks.record(actor=people["clerk"], complaint_id=hotline.pk, reached=False, note="无人接听")
    assert complaints.confirm_overdue_answers(now=due) == 1
    hotline.refresh_from_db()
    assert state(hotline) == "closed" and hotline.satisfaction_source == "deemed" and hotline.confirmed_by_default


def test_a_satisfied_call_back_closes_as_a_call_back_answer(people, hotline):
    callbacks.record(actor=people["clerk"], complaint_id=hotline.pk, reached=True, opinion="satisfied", note="")
    hotline.refresh_from_db()
    assert state(hotline) == "closed" and hotline.satisfied and hotline.satisfaction_source == "callback"
    assert not hotline.confirmed_by_default


def test_no_opinion_on_a_call_back_closes_without_a_verdict(people, hotline):
    callbacks.record(actor=people["clerk"], complaint_id=hotline.pk, reached=True, opinion="no_opinion")
    hotline.refresh_from_db()
    assert state(hotline) == "closed" and hotline.satisfied is None and hotline.satisfaction_source == "callback"


def test_not_satisfied_on_a_call_back_reopens_for_the_department(people, hotline):
    callbacks.record(actor=people["clerk"], complaint_id=hotline.pk, reached=True, opinion="not_satisfied",
                     note="款项仍未收到")  # fmt: skip
    hotline.refresh_from_db()
    assert state(hotline) == "in_progress" and hotline.reopen_count == 1
    assert CallBack.objects.get().opinion == "not_satisfied"


@pytest.mark.parametrize(("reached", "opinion", "note"), [(True, "", "接通"), (True, "angry", "x"),
                                                          (True, "not_satisfied", "")])  # fmt: skip
def test_a_reached_call_back_needs_what_the_complainant_said(people, hotline, reached, opinion, note):
    with pytest.raises(InvalidInput):
        callbacks.record(actor=people["clerk"], complaint_id=hotline.pk, reached=reached, opinion=opinion, note=note)
    assert not CallBack.objects.exists()


def test_only_a_clerk_calls_back(people, hotline):
    with pytest.raises(NotPermitted):
        callbacks.record(actor=people["worker"], complaint_id=hotline.pk, reached=False)


def test_no_call_back_while_the_department_still_works(people):
    complaint = in_progress(people, receive(people, "H-2", channel_code="12345"))
    with pytest.raises(Conflict):
        callbacks.record(actor=people["clerk"], complaint_id=complaint.pk, reached=False)


def test_the_clerks_list_of_complaints_awaiting_a_call_back(people, hotline, complaint):
    from cases.complaints.models import Complaint

    in_progress(people, complaint)
    complaints.answer(actor=people["worker"], complaint_id=complaint.pk, finding="unsubstantiated", text="不属实")
    assert list(callbacks.awaiting_callback(Complaint.objects.all())) == [hotline]


# --- withdrawal (撤回) -----------------------------------------------------------------------------


def test_the_complainant_withdraws_and_the_channel_is_told(people):
    complaint = receive(people, "W-9", callback_url="https://channel.example/cb")
    in_progress(people, complaint)
    complaints.withdraw(actor=people["complainant"], complaint_id=complaint.pk, reason="已与对方协商解决")
    complaint.refresh_from_db()
    assert state(complaint) == "withdrawn" and complaint.outcome == "withdrawn"
    assert complaint.case.closed_at is not None
    assert not Deadline.objects.filter(case=complaint.case, closed_at__isnull=True).exists()
    assert ChannelCallback.objects.filter(complaint=complaint).latest("id").payload["status"] == "withdrawn"


def test_a_second_withdrawal_is_refused(people, complaint):
    complaints.withdraw(actor=people["complainant"], complaint_id=complaint.pk, reason="不再投诉")
    with pytest.raises(TransitionNotAllowed):
        complaints.withdraw(actor=people["complainant"], complaint_id=complaint.pk, reason="不再投诉")


def test_a_withdrawal_needs_a_reason(people, complaint):
    with pytest.raises(InvalidInput):
        complaints.withdraw(actor=people["complainant"], complaint_id=complaint.pk, reason="")
    assert state(complaint) == "received"


def test_someone_else_cannot_withdraw(people, complaint):
    with pytest.raises(NotFound):
        complaints.withdraw(actor=ApplicantFactory(username="other"), complaint_id=complaint.pk, reason="撤回")


def test_a_clerk_records_the_withdrawal_of_a_caller(people):
    complaint = receive(people, "H-3", channel_code="12345")
    complaints.withdraw(actor=people["clerk"], complaint_id=complaint.pk, reason="来电表示已解决")
    assert state(complaint) == "withdrawn"


# --- the department's return after starting (退单) ---------------------------------------------------


def test_a_return_approved_goes_back_to_routing_with_a_new_assignment_clock(people, complaint):
    in_progress(people, complaint)
    complaints.request_return(actor=people["worker"], complaint_id=complaint.pk, reason="属市场监管局职责")
    assert state(complaint) == "return_requested"
    complaints.decide_return(actor=people["clerk"], complaint_id=complaint.pk, approve=True)
    complaint.case.refresh_from_db()
    assert state(complaint) == "registered" and complaint.case.department.code == "yshj"
    assert Deadline.objects.filter(case=complaint.case, step="complaint.assign", closed_at__isnull=True).exists()
    assert not Deadline.objects.filter(case=complaint.case, step="complaint.answer", closed_at__isnull=True).exists()


def test_a_return_refused_needs_a_reason_and_the_department_carries_on(people, complaint):
    in_progress(people, complaint)
    complaints.request_return(actor=people["worker"], complaint_id=complaint.pk, reason="非本部门职责")
    with pytest.raises(InvalidInput):
        complaints.decide_return(actor=people["clerk"], complaint_id=complaint.pk, approve=False, note="")
    complaints.decide_return(actor=people["clerk"], complaint_id=complaint.pk, approve=False, note="合同由贵局签订")
    assert state(complaint) == "in_progress"


def test_a_return_needs_a_reason_and_only_the_department_asks(people, complaint):
    in_progress(people, complaint)
    with pytest.raises(InvalidInput):
        complaints.request_return(actor=people["worker"], complaint_id=complaint.pk, reason="")
    with pytest.raises(NotPermitted):
        complaints.request_return(actor=people["wrong_worker"], complaint_id=complaint.pk, reason="不是我们的")


def test_a_closed_complaint_cannot_be_returned(people, complaint):
    in_progress(people, complaint)
    complaints.answer(actor=people["worker"], complaint_id=complaint.pk, finding="unsubstantiated", text="不属实")
    complaints.confirm(actor=people["complainant"], complaint_id=complaint.pk)
    with pytest.raises(TransitionNotAllowed):
        complaints.request_return(actor=people["worker"], complaint_id=complaint.pk, reason="非本部门职责")
