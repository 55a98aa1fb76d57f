"""Edge days and edge amounts of the complaint rules: payments and repayment plans (today,
tomorrow, the office's midnight against UTC, 0 yuan), an instalment due today, the arrears gate
that applies only to a substantiated finding, merging into a closed complaint, and the reminder
before the half-year report falls due."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cases.complaints import intake as complaint_intake
from cases.complaints import rectification
from cases.complaints import services as complaints
from cases.complaints.models import ArrearsPayment, Channel, Instalment
from cases.core.exceptions import Conflict, InvalidInput, NotFound
from cases.core.models import Deadline, Department, Stage
from cases.core.roles import Role
from cases.reporting import reports
from cases.supervision import sweep as supervision
from tests.factories import ApplicantFactory, StaffFactory, valid_uscc

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 16)  # a Monday
TOMORROW = TODAY + timedelta(days=1)
PAYMENT_REFUSED = "请填写大于零的金额、不晚于今天的日期和付款凭证。"


def local(day: date, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=SHANGHAI)


def last_second_of(day: date) -> datetime:
    return local(day, 23, 59, 59)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(local(TODAY, 10), tick=False):
        yield


@pytest.fixture
def people(db):
    return {
        "clerk": StaffFactory(username="clerk", department__code="yshj", role=Role.INTAKE_CLERK),
        "worker": StaffFactory(username="worker", department__code="czj"),
        "complainant": ApplicantFactory(username="firm", id_number=valid_uscc("91620702MA71ABCD0")),
    }


def receive(people, reference="W-1"):
    channel, _created = Channel.objects.get_or_create(code="website", defaults={"name": "网站", "secret": "s"})
    received, _created = complaint_intake.receive(channel=channel, data={
        "reference": reference, "complainant_name": "张经理", "enterprise_name": "示范公司",
        "enterprise_uscc": valid_uscc("91620702MA71ABCD0"), "respondent": "区某局", "subject": "other_breach",
        "facts": "拖欠货款"})  # fmt: skip
    received.complainant = people["complainant"]
    received.save()
    return received


@pytest.fixture
def arrears(people):
    """An arrears complaint in progress at the finance bureau; 860,000 yuan confirmed."""
    complaint = receive(people)
    complaints.register(actor=people["clerk"], complaint_id=complaint.pk, subject="arrears", respondent="区某局")
    complaints.assign(actor=people["clerk"], complaint_id=complaint.pk,
                      department_id=Department.objects.get(code="czj").pk)  # fmt: skip
    complaints.start_work(actor=people["worker"], complaint_id=complaint.pk)
    complaints.confirm_amount(actor=people["worker"], complaint_id=complaint.pk, amount="860000")
    return complaint


def pay(people, complaint, amount="100", paid_on=TODAY):
    return complaints.record_payment(actor=people["worker"], complaint_id=complaint.pk, amount=amount,
                                     paid_on=paid_on, proof="银行回单 0001")  # fmt: skip


def plan(people, complaint, first_due: date):
    return complaints.agree_plan(actor=people["worker"], complaint_id=complaint.pk,
                                 instalments=[(first_due, "430000"), (date(2027, 1, 15), "430000")])  # fmt: skip


def state(complaint):
    complaint.case.refresh_from_db()
    return complaint.case.state


# --- payments (complaint_services.record_payment) ----------------------------------------------


def test_a_payment_dated_today_is_recorded_and_one_dated_tomorrow_refused(people, arrears):
    pay(people, arrears, paid_on=TODAY)
    with pytest.raises(InvalidInput) as refused:
        pay(people, arrears, paid_on=TOMORROW)
    assert refused.value.details["payment"] == [PAYMENT_REFUSED]
    assert ArrearsPayment.objects.count() == 1


def test_a_payment_dated_tomorrow_in_utc_terms_is_today_from_the_offices_midnight(people, arrears):
    with time_machine.travel(last_second_of(TODAY), tick=False), pytest.raises(InvalidInput):
        pay(people, arrears, paid_on=TOMORROW)
    with time_machine.travel(local(TOMORROW), tick=False):  # 16:00 UTC on the 16th
        pay(people, arrears, paid_on=TOMORROW)
    assert ArrearsPayment.objects.get().paid_on == TOMORROW


@pytest.mark.parametrize("amount", ["0", "0.00", "-0.01", "-100"])
def test_a_payment_of_zero_or_less_is_refused_in_chinese(people, arrears, amount):
    with pytest.raises(InvalidInput) as refused:
        pay(people, arrears, amount=amount)
    assert refused.value.details["payment"] == [PAYMENT_REFUSED]
    assert not ArrearsPayment.objects.exists()


def test_the_smallest_payment_is_one_fen(people, arrears):
    pay(people, arrears, amount="0.01")
    assert str(ArrearsPayment.objects.get().amount) == "0.01"


# --- repayment plans and an instalment due today (agree_plan, the sweep) -----------------------


def test_a_plan_whose_first_instalment_is_due_today_is_refused(people, arrears):
    with pytest.raises(InvalidInput):
        plan(people, arrears, first_due=TODAY)
    assert not Instalment.objects.exists()


def test_a_plan_whose_first_instalment_is_due_tomorrow_is_agreed(people, arrears):
    plan(people, arrears, first_due=TOMORROW)
    assert Deadline.objects.get(step="arrears.instalment.1").due_on == TOMORROW


def test_after_the_offices_midnight_tomorrow_is_today_and_refused(people, arrears):
    with time_machine.travel(local(TOMORROW), tick=False), pytest.raises(InvalidInput):
        plan(people, arrears, first_due=TOMORROW)


def test_an_instalment_due_today_is_overdue_only_from_the_offices_midnight_after_it(people, arrears):
    plan(people, arrears, first_due=TOMORROW)
    instalment = Deadline.objects.get(step="arrears.instalment.1")
    assert instalment.due_at == local(TOMORROW + timedelta(days=1))
    supervision.sweep(now=local(TOMORROW, 9))  # the day it is due: reminded only
    assert Deadline.objects.get(pk=instalment.pk).stage == Stage.REMINDED
    assert supervision.sweep(now=last_second_of(TOMORROW)).total == 0
    assert supervision.sweep(now=local(TOMORROW + timedelta(days=1))).fired == {"deadline.supervised": 1}


def test_an_instalment_paid_on_its_due_day_is_closed_before_it_falls_overdue(people, arrears):
    plan(people, arrears, first_due=TOMORROW)
    with time_machine.travel(last_second_of(TOMORROW), tick=False):
        pay(people, arrears, amount="430000", paid_on=TOMORROW)
    assert Deadline.objects.get(step="arrears.instalment.1").closed_at is not None
    assert supervision.sweep(now=local(TOMORROW + timedelta(days=1))).total == 0


# --- the arrears gate applies to a substantiated finding only (_require_settled_if_arrears) -----


def test_a_substantiated_arrears_complaint_with_money_owed_cannot_close(people, arrears):
    complaints.answer(actor=people["worker"], complaint_id=arrears.pk, finding="substantiated", text="确属拖欠")
    with pytest.raises(Conflict):
        rectification.report_rectified(actor=people["worker"], complaint_id=arrears.pk, evidence="承诺付款")
    assert state(arrears) == "rectifying"


def test_an_unsubstantiated_arrears_complaint_closes_though_an_amount_is_claimed(people, arrears):
    complaints.answer(actor=people["worker"], complaint_id=arrears.pk, finding="unsubstantiated", text="合同未约定")
    complaints.confirm(actor=people["complainant"], complaint_id=arrears.pk)
    assert state(arrears) == "closed"


def test_a_substantiated_arrears_complaint_closes_once_the_last_fen_is_paid(people, arrears):
    complaints.answer(actor=people["worker"], complaint_id=arrears.pk, finding="substantiated", text="限期付清")
    pay(people, arrears, amount="859999.99")
    with pytest.raises(Conflict):
        rectification.report_rectified(actor=people["worker"], complaint_id=arrears.pk, evidence="回单")
    pay(people, arrears, amount="0.01")
    rectification.report_rectified(actor=people["worker"], complaint_id=arrears.pk, evidence="回单")
    rectification.verify(actor=people["clerk"], complaint_id=arrears.pk)
    complaints.confirm(actor=people["complainant"], complaint_id=arrears.pk)
    assert state(arrears) == "closed"


# --- merging (complaint_services.merge) --------------------------------------------------------


def test_a_duplicate_cannot_be_merged_into_a_closed_complaint(people):
    closed = receive(people, "W-1")
    complaints.reject(actor=people["clerk"], complaint_id=closed.pk, reason="不属于受理范围")
    assert state(closed) == "rejected"
    duplicate = receive(people, "W-2")
    with pytest.raises(NotFound):
        complaints.merge(actor=people["clerk"], complaint_id=duplicate.pk, into_id=closed.pk)
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None and state(duplicate) == "received"


def test_a_duplicate_merges_into_an_open_complaint(people):
    target, duplicate = receive(people, "W-1"), receive(people, "W-2")
    complaints.merge(actor=people["clerk"], complaint_id=duplicate.pk, into_id=target.pk)
    duplicate.refresh_from_db()
    assert duplicate.merged_into == target


# --- the half-year report reminder (reports.remind_department_heads, reports.due_on) ------------


@pytest.fixture
def heads(db):
    StaffFactory(username="head", department__code="czj", role=Role.DEPARTMENT_HEAD)


def remind_at(moment: datetime) -> int:
    with time_machine.travel(moment, tick=False):
        return reports.remind_department_heads()


def test_the_reports_fall_due_on_20_june_and_20_december():
    assert reports.due_on(reports.Period.containing(date(2026, 6, 30))) == date(2026, 6, 20)
    assert reports.due_on(reports.Period.containing(date(2026, 7, 1))) == date(2026, 12, 20)


def test_the_december_reminder_starts_at_the_offices_midnight_of_its_first_day(heads):
    # Five working days before Sunday 20 December 2026 is Monday 14 December.
    assert remind_at(last_second_of(date(2026, 12, 13))) == 0
    assert remind_at(local(date(2026, 12, 14))) == 1


def test_the_reminder_still_goes_on_the_due_day_and_not_the_day_after(heads):
    assert remind_at(last_second_of(date(2026, 12, 21))) == 0
    assert remind_at(last_second_of(date(2026, 12, 20))) == 1


def test_the_june_reminder_window_skips_the_dragon_boat_festival(heads):
    # 19 June 2026 (Friday) is off: five working days before Saturday 20 June is Friday 12 June.
    assert remind_at(last_second_of(date(2026, 6, 11))) == 0
    assert remind_at(local(date(2026, 6, 12))) == 1


# --- instalments of zero or less (agree_plan) ---------------------------------------------------


@pytest.mark.parametrize("first", ["0", "-100"])
def test_an_instalment_of_zero_or_less_is_refused_in_chinese(people, arrears, first):
    rest = str(860000 - int(first))
    with pytest.raises(InvalidInput) as refused:
        complaints.agree_plan(actor=people["worker"], complaint_id=arrears.pk,
                              instalments=[(TOMORROW, first), (date(2027, 1, 15), rest)])  # fmt: skip
    assert refused.value.details["instalments"] == ["每期还款金额须大于零。"]
    assert not Instalment.objects.exists()
