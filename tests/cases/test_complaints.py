"""The complaint workflow's rules (docs/domain.md, "Complaints"), through its services."""

from datetime import date

import pytest
from viewflow.fsm import TransitionNotAllowed

from cases.complaints import intake as complaint_intake
from cases.complaints import rectification
from cases.complaints import services as complaints
from cases.complaints.models import Channel
from cases.core.exceptions import Conflict, InvalidInput, NotFound, NotPermitted
from cases.core.models import AuditEvent, Deadline, Department
from notifications.models import Notification
from tests.factories import ApplicantFactory, complaint_office, valid_uscc

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_16_november")]


@pytest.fixture
def people(db):
    return complaint_office()


@pytest.fixture
def complaint(people):
    channel = Channel.objects.create(code="website", name="网站", secret="s")
    received, _created = complaint_intake.receive(channel=channel, data={
        "reference": "W-1", "complainant_name": "张经理", "enterprise_name": "示范公司",
        "enterprise_uscc": valid_uscc("91620702MA71ABCD0"), "respondent": "区某局", "subject": "other_breach",
        "facts": "拖欠货款"})  # fmt: skip
    received.complainant = people["complainant"]
    received.save()
    return received


def dept(code):
    return Department.objects.get(code=code).pk


def state(complaint):
    complaint.case.refresh_from_db()
    return complaint.case.state


def registered_and_assigned(people, complaint, code="czj"):
    complaints.register(actor=people["clerk"], complaint_id=complaint.pk, subject="arrears", respondent="区某局")
    complaints.assign(actor=people["clerk"], complaint_id=complaint.pk, department_id=dept(code))


def test_the_whole_loop_with_a_misroute_an_extension_and_a_reopening(people, complaint):
    complaints.register(actor=people["clerk"], complaint_id=complaint.pk, subject="arrears", respondent="区某局")
    complaints.assign(actor=people["clerk"], complaint_id=complaint.pk, department_id=dept("scjg"))
    complaints.return_misrouted(actor=people["wrong_worker"], complaint_id=complaint.pk, reason="属财政局职责")
    assert state(complaint) == "registered"
    complaints.assign(actor=people["clerk"], complaint_id=complaint.pk, department_id=dept("czj"))
    complaints.start_work(actor=people["worker"], complaint_id=complaint.pk)
    complaints.request_extension(actor=people["worker"], complaint_id=complaint.pk, working_days=10, reason="需审计")
    complaints.decide_extension(actor=people["supervisor"], complaint_id=complaint.pk, approve=True)
    answer = Deadline.objects.get(case=complaint.case, step="complaint.answer", closed_at__isnull=True)
    assert answer.working_days == 25
    complaints.answer(actor=people["worker"], complaint_id=complaint.pk, finding="unsubstantiated", text="合同未到期")
    complaints.object_to_answer(actor=people["complainant"], complaint_id=complaint.pk, reason="合同已到期")
    assert state(complaint) == "in_progress"
    complaints.answer(actor=people["worker"], complaint_id=complaint.pk, finding="substantiated", text="限期付款")
    assert state(complaint) == "rectifying"
    rectification.report_rectified(actor=people["worker"], complaint_id=complaint.pk, evidence="付款凭证 2026-118")
    rectification.verify(actor=people["clerk"], complaint_id=complaint.pk)
    complaints.confirm(actor=people["complainant"], complaint_id=complaint.pk)
    assert state(complaint) == "closed" and complaint.case.closed_at is not None
    steps = set(AuditEvent.objects.for_subject(complaint.case).values_list("event_type", flat=True))
    assert {"complaint.received", "complaint.register", "complaint.return_misrouted", "complaint.answer",
            "complaint.reopen", "complaint.order_rectification", "complaint.report_rectification",
            "complaint.verify_rectification", "complaint.confirm", "complaint.close"} <= steps  # fmt: skip
    assert not Deadline.objects.filter(case=complaint.case, closed_at__isnull=True).exists()
    # answered, rectification ordered, rectified: the complainant hears of each
    assert Notification.objects.filter(recipient=people["complainant"], kind="complaint.progress").count() == 3


def test_only_a_clerk_registers(people, complaint):
    with pytest.raises(NotPermitted):
        complaints.register(actor=people["worker"], complaint_id=complaint.pk, subject="arrears", respondent="x")


def test_registration_needs_a_known_subject(people, complaint):
    with pytest.raises(InvalidInput):
        complaints.register(actor=people["clerk"], complaint_id=complaint.pk, subject="gossip", respondent="x")


def test_a_rejection_closes_the_case_with_a_reason(people, complaint):
    complaints.register(actor=people["clerk"], complaint_id=complaint.pk, subject="arrears", respondent="区某局")
    complaints.reject(actor=people["clerk"], complaint_id=complaint.pk, reason="属民事纠纷，不属于受理范围")
    assert state(complaint) == "rejected" and complaint.case.closed_at is not None


def test_another_department_cannot_answer(people, complaint):
    registered_and_assigned(people, complaint)
    with pytest.raises(NotPermitted):
        complaints.start_work(actor=people["wrong_worker"], complaint_id=complaint.pk)


def test_an_answer_needs_a_finding_and_text(people, complaint):
    registered_and_assigned(people, complaint)
    complaints.start_work(actor=people["worker"], complaint_id=complaint.pk)
    with pytest.raises(InvalidInput):
        complaints.answer(actor=people["worker"], complaint_id=complaint.pk, finding="maybe", text="")


def test_one_extension_within_the_limit(people, complaint):
    registered_and_assigned(people, complaint)
    complaints.start_work(actor=people["worker"], complaint_id=complaint.pk)
    with pytest.raises(InvalidInput):
        complaints.request_extension(actor=people["worker"], complaint_id=complaint.pk, working_days=16, reason="x")
    complaints.request_extension(actor=people["worker"], complaint_id=complaint.pk, working_days=5, reason="x")
    complaints.decide_extension(actor=people["supervisor"], complaint_id=complaint.pk, approve=True)
    with pytest.raises(Conflict):
        complaints.request_extension(actor=people["worker"], complaint_id=complaint.pk, working_days=5, reason="y")


def test_only_a_supervisor_decides_an_extension(people, complaint):
    registered_and_assigned(people, complaint)
    complaints.start_work(actor=people["worker"], complaint_id=complaint.pk)
    complaints.request_extension(actor=people["worker"], complaint_id=complaint.pk, working_days=5, reason="x")
    with pytest.raises(NotPermitted):
        complaints.decide_extension(actor=people["head"], complaint_id=complaint.pk, approve=True)


def test_someone_else_cannot_confirm(people, complaint):
    registered_and_assigned(people, complaint)
    complaints.start_work(actor=people["worker"], complaint_id=complaint.pk)
    complaints.answer(actor=people["worker"], complaint_id=complaint.pk, finding="unsubstantiated", text="合同未约定")
    with pytest.raises(NotFound):
        complaints.confirm(actor=ApplicantFactory(username="other"), complaint_id=complaint.pk)


def test_after_the_reopen_limit_the_supervisors_review_and_close(people, complaint):
    registered_and_assigned(people, complaint)
    complaints.start_work(actor=people["worker"], complaint_id=complaint.pk)
    for _ in range(3):
        complaints.answer(actor=people["worker"], complaint_id=complaint.pk, finding="unsubstantiated", text="处理中")
        complaints.object_to_answer(actor=people["complainant"], complaint_id=complaint.pk, reason="仍未解决")
    assert state(complaint) == "reopened"
    assert Notification.objects.filter(recipient=people["supervisor"], title__contains=complaint.case.number).exists()
    complaints.close_after_review(actor=people["supervisor"], complaint_id=complaint.pk, conclusion="已督促付款，结案")
    assert state(complaint) == "closed"


def test_an_unassigned_complaint_cannot_be_answered(people, complaint):
    complaints.register(actor=people["clerk"], complaint_id=complaint.pk, subject="arrears", respondent="区某局")
    with pytest.raises((NotPermitted, TransitionNotAllowed)):
        complaints.start_work(actor=people["worker"], complaint_id=complaint.pk)


def test_no_answer_from_the_complainant_in_time_confirms_by_default(people, complaint):
    from datetime import datetime, time

    from django.utils import timezone

    registered_and_assigned(people, complaint)
    complaints.start_work(actor=people["worker"], complaint_id=complaint.pk)
    complaints.answer(actor=people["worker"], complaint_id=complaint.pk, finding="unsubstantiated", text="合同未约定")
    due = Deadline.objects.get(case=complaint.case, step="complaint.confirm")
    assert complaints.confirm_overdue_answers(now=due.due_at - timezone.timedelta(seconds=1)) == 0
    assert complaints.confirm_overdue_answers(now=timezone.make_aware(datetime.combine(due.due_on, time(23)))) == 0
    assert complaints.confirm_overdue_answers(now=due.due_at) == 1
    complaint.refresh_from_db()
    assert complaint.confirmed_by_default and complaint.satisfied
    assert state(complaint) == "closed"
    assert complaints.confirm_overdue_answers(now=due.due_at) == 0


# --- arrears (清欠) ----------------------------------------------------------------------------


def arrears_in_progress(people, complaint):
    registered_and_assigned(people, complaint)
    complaints.start_work(actor=people["worker"], complaint_id=complaint.pk)
    complaints.confirm_amount(actor=people["worker"], complaint_id=complaint.pk, amount="860000")


def test_an_arrears_complaint_closes_only_when_paid_or_planned(people, complaint):
    arrears_in_progress(people, complaint)
    complaints.record_payment(actor=people["worker"], complaint_id=complaint.pk, amount="200000",
                              paid_on=date(2026, 11, 10), proof="银行回单 0001")  # fmt: skip
    complaint.refresh_from_db()
    assert complaints.owed(complaint) == 660000
    complaints.answer(actor=people["worker"], complaint_id=complaint.pk, finding="substantiated", text="分期支付")
    with pytest.raises(Conflict):
        rectification.report_rectified(actor=people["worker"], complaint_id=complaint.pk, evidence="承诺付款")
    complaints.agree_plan(actor=people["worker"], complaint_id=complaint.pk,
                          instalments=[(date(2026, 12, 15), "330000"), (date(2027, 1, 15), "330000")])  # fmt: skip
    steps = set(Deadline.objects.filter(case=complaint.case, closed_at__isnull=True).values_list("step", flat=True))
    assert {"arrears.instalment.1", "arrears.instalment.2"} <= steps
    rectification.report_rectified(actor=people["worker"], complaint_id=complaint.pk, evidence="分期还款协议")
    rectification.verify(actor=people["clerk"], complaint_id=complaint.pk)
    complaints.confirm(actor=people["complainant"], complaint_id=complaint.pk)
    assert state(complaint) == "closed"


def test_a_payment_covering_an_instalment_closes_its_deadline(people, complaint):
    arrears_in_progress(people, complaint)
    complaints.agree_plan(actor=people["worker"], complaint_id=complaint.pk,
                          instalments=[(date(2026, 12, 15), "430000"), (date(2027, 1, 15), "430000")])  # fmt: skip
    complaints.record_payment(actor=people["worker"], complaint_id=complaint.pk, amount="430000",
                              paid_on=date(2026, 11, 16), proof="回单")  # fmt: skip
    first = Deadline.objects.get(case=complaint.case, step="arrears.instalment.1")
    second = Deadline.objects.get(case=complaint.case, step="arrears.instalment.2")
    assert first.closed_at is not None and second.closed_at is None


def test_a_plan_must_add_up_to_what_is_owed(people, complaint):
    arrears_in_progress(people, complaint)
    with pytest.raises(InvalidInput):
        complaints.agree_plan(actor=people["worker"], complaint_id=complaint.pk,
                              instalments=[(date(2026, 12, 15), "100")])  # fmt: skip


def test_a_payment_needs_a_voucher_and_a_past_date(people, complaint):
    arrears_in_progress(people, complaint)
    with pytest.raises(InvalidInput):
        complaints.record_payment(actor=people["worker"], complaint_id=complaint.pk, amount="10",
                                  paid_on=date(2026, 12, 1), proof="回单")  # fmt: skip
    with pytest.raises(InvalidInput):
        complaints.record_payment(actor=people["worker"], complaint_id=complaint.pk, amount="10",
                                  paid_on=date(2026, 11, 1), proof="")  # fmt: skip


def test_only_arrears_complaints_have_amounts(people, complaint):
    complaints.register(actor=people["clerk"], complaint_id=complaint.pk, subject="procurement", respondent="区某局")
    complaints.assign(actor=people["clerk"], complaint_id=complaint.pk, department_id=dept("czj"))
    with pytest.raises(Conflict):
        complaints.confirm_amount(actor=people["worker"], complaint_id=complaint.pk, amount="1")


def test_a_cured_default_is_on_the_bodys_record_as_cured_not_as_a_breach(people, complaint):
    from cases.complaints.models import IntegrityEntry

    registered_and_assigned(people, complaint)
    complaints.start_work(actor=people["worker"], complaint_id=complaint.pk)
    complaints.answer(actor=people["worker"], complaint_id=complaint.pk, finding="substantiated", text="确属违约")
    rectification.report_rectified(actor=people["worker"], complaint_id=complaint.pk, evidence="已付清，附回单")
    rectification.verify(actor=people["clerk"], complaint_id=complaint.pk)
    complaints.confirm(actor=people["complainant"], complaint_id=complaint.pk)
    entry = IntegrityEntry.objects.get()
    assert entry.body.name == "区某局" and entry.kind == "cured" and "确属违约" in entry.summary


def test_an_unsubstantiated_complaint_leaves_no_mark(people, complaint):
    from cases.complaints.models import IntegrityEntry

    registered_and_assigned(people, complaint)
    complaints.start_work(actor=people["worker"], complaint_id=complaint.pk)
    complaints.answer(actor=people["worker"], complaint_id=complaint.pk, finding="unsubstantiated", text="合同未约定")
    complaints.confirm(actor=people["complainant"], complaint_id=complaint.pk)
    assert not IntegrityEntry.objects.exists()


def test_only_a_supervisor_flags_a_typical_case(people, complaint):
    with pytest.raises(NotPermitted):
        complaints.flag_typical(actor=people["clerk"], complaint_id=complaint.pk)
    complaints.flag_typical(actor=people["supervisor"], complaint_id=complaint.pk)
    complaint.refresh_from_db()
    assert complaint.typical


def test_a_repeat_complaint_is_shown_as_a_possible_duplicate_and_merged(people, complaint):
    channel = Channel.objects.get(code="website")
    repeat, _created = complaint_intake.receive(channel=channel, data={
        "reference": "W-2", "complainant_name": "张经理", "enterprise_name": "示范公司",
        "enterprise_uscc": complaint.enterprise_uscc, "respondent": "区某局 ", "subject": "other_breach",
        "facts": "拖欠货款未付"})  # fmt: skip
    unrelated, _created = complaint_intake.receive(channel=channel, data={
        "reference": "W-3", "complainant_name": "张经理", "enterprise_name": "示范公司",
        "enterprise_uscc": complaint.enterprise_uscc, "respondent": "另一单位", "subject": "other_breach",
        "facts": "拖欠货款"})  # fmt: skip
    assert complaints.possible_duplicates(repeat) == [complaint]
    complaints.merge(actor=people["clerk"], complaint_id=repeat.pk, into_id=complaint.pk)
    repeat.refresh_from_db()
    assert repeat.merged_into == complaint and state(repeat) == "rejected"
    assert AuditEvent.objects.filter(event_type="complaint.merged", reference=complaint.case.number).exists()
    assert unrelated not in complaints.possible_duplicates(complaint)


def test_a_complaint_cannot_be_merged_into_itself(people, complaint):
    with pytest.raises(InvalidInput):
        complaints.merge(actor=people["clerk"], complaint_id=complaint.pk, into_id=complaint.pk)


def test_an_arrears_complaint_closes_once_payments_reach_the_confirmed_amount(people, complaint):
    arrears_in_progress(people, complaint)
    complaints.answer(actor=people["worker"], complaint_id=complaint.pk, finding="substantiated", text="限期付清")
    complaints.record_payment(actor=people["worker"], complaint_id=complaint.pk, amount="860000",
                              paid_on=date(2026, 11, 16), proof="回单")  # fmt: skip
    rectification.report_rectified(actor=people["worker"], complaint_id=complaint.pk, evidence="回单")
    rectification.verify(actor=people["clerk"], complaint_id=complaint.pk)
    complaints.confirm(actor=people["complainant"], complaint_id=complaint.pk)
    assert state(complaint) == "closed"
