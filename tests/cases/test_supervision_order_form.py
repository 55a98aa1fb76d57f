"""The supervision order form (督办单): the supervisor reads and edits the text, and chooses the
working days to answer, before anything is sent; one open order at a time unless escalating with
a reason; a case under district-level supervision (挂牌督办) takes no plain order."""

import html
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cases.core import services
from cases.core.exceptions import IllegalTransition, InvalidInput
from cases.core.models import AuditEvent, Stage
from cases.supervision import services as supervision_services
from cases.supervision import sweep
from cases.supervision.models import SupervisionOrder
from notifications.models import Notification
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

# Wednesday 30 September 2026 in the office: 1–7 October are off, Saturday 10 October is worked.
NOW = datetime(2026, 9, 30, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
THREE_WORKING_DAYS_ON = "2026-10-10"  # the policy's 3 working days (督办单答复时限)
FIVE_WORKING_DAYS_ON = "2026-10-13"


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def case(caseworker):
    """A complaint whose department's answer was due on 10 September: overdue."""
    case = CaseFactory(assignee=caseworker)
    services.start_deadline_on(case=case, step="complaint.answer", label="部门答复", due_on=date(2026, 9, 10))
    return case


def url(case) -> str:
    return f"/supervision/cases/{case.pk}/order/"


def send(client, case, **fields):
    data = {"reason": "请立即办理并答复。", "respond_within": "3", "action": "send", **fields}
    return client.post(url(case), data)


def textarea(page: str, name: str) -> str:
    return html.unescape(re.search(rf'<textarea name="{name}"[^>]*>(.*?)</textarea>', page, re.S).group(1)).strip()


def preview(page: str) -> str:
    section = re.search(r'<section class="card" id="order-preview".*?</section>', page, re.S).group(0)
    return html.unescape(re.sub(r"<[^>]+>", " ", section))


def escalated_by_the_sweep(case, caseworker, *, answered: bool):
    """The sweep takes the case to 挂牌督办 (an order, then a district-level order); the department
    has answered both, or not."""
    sweep.sweep(now=NOW)
    case.refresh_from_db()
    assert case.supervision_stage == Stage.ESCALATED
    if answered:
        for order in SupervisionOrder.objects.filter(case=case):
            supervision_services.respond_to_supervision_order(order_id=order.pk, actor=caseworker, response="已办理")


# --- the form: the text seen and edited before sending ---------------------------------------------


def test_the_form_shows_the_text_to_edit_the_policys_working_days_and_what_the_department_receives(
    client, supervisor, case
):
    client.force_login(supervisor)
    response = client.get(url(case))
    page = response.content.decode()
    assert response.status_code == 200
    text = textarea(page, "reason")
    assert case.number in text and "部门答复" in text and "逾期" in text
    assert re.search(r'<input type="number" name="respond_within" value="3"', page)
    assert f"答复期限：{THREE_WORKING_DAYS_ON}" in page
    received = preview(page)
    assert f"督办单：案件 {case.number}" in received
    assert f"请于 {THREE_WORKING_DAYS_ON} 前（3 个工作日内）答复本督办单。" in received
    assert "区市场监管局" in received or case.department.name in received
    assert not SupervisionOrder.objects.exists()


def test_preview_shows_the_edited_text_and_the_chosen_date_and_sends_nothing(client, supervisor, case):
    client.force_login(supervisor)
    response = client.post(url(case), {"reason": "请核实企业诉求后答复。", "respond_within": "5", "action": "preview"})
    page = response.content.decode()
    assert response.status_code == 200
    assert textarea(page, "reason") == "请核实企业诉求后答复。"
    assert f"答复期限：{FIVE_WORKING_DAYS_ON}" in page
    received = preview(page)
    assert "请核实企业诉求后答复。" in received and f"请于 {FIVE_WORKING_DAYS_ON} 前（5 个工作日内）" in received
    assert not SupervisionOrder.objects.exists()
    assert not Notification.objects.filter(kind="supervision.issued").exists()


def test_the_board_has_no_one_click_order_only_a_link_to_the_form(client, supervisor, case):
    client.force_login(supervisor)
    page = client.get("/supervision/").content.decode()
    assert not re.search(rf'<form[^>]*action="{url(case)}"', page)
    assert f'href="{url(case)}?next=/supervision/"' in page


def test_the_case_page_links_to_the_form_instead_of_a_folded_form(client, supervisor, case):
    client.force_login(supervisor)
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert not re.search(rf'<form[^>]*action="{url(case)}"', page)
    assert f'href="{url(case)}?next=/cases/{case.number}/"' in page


def test_sending_issues_the_edited_text_and_the_department_reads_the_chosen_date(client, supervisor, case):
    client.force_login(supervisor)
    response = send(client, case, reason="请核实企业诉求后答复。", respond_within="5", next=f"/cases/{case.number}/")
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.number}/"
    order = SupervisionOrder.objects.get()
    assert (order.reason, f"{order.respond_by:%Y-%m-%d}") == ("请核实企业诉求后答复。", FIVE_WORKING_DAYS_ON)
    body = Notification.objects.filter(kind="supervision.issued").values_list("body", flat=True).first()
    assert body.startswith("请核实企业诉求后答复。")
    assert f"请于 {FIVE_WORKING_DAYS_ON} 前（5 个工作日内）答复本督办单。" in body
    event = AuditEvent.objects.get(event_type="supervision.issued")
    assert event.payload["respond_by"] == FIVE_WORKING_DAYS_ON
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert f"已对案件 {case.number} 发出督办单，答复期限 {FIVE_WORKING_DAYS_ON}。" in page


def test_the_working_days_follow_the_calendar_in_the_service_too(supervisor, case):
    order = supervision_services.issue_supervision_order(
        case_id=case.pk, actor=supervisor, reason="请答复", respond_within=1
    )
    assert order.respond_by == date(2026, 10, 8)  # the first working day after National Day


@pytest.mark.parametrize("days", ["0", "31", "三"])
def test_working_days_out_of_range_are_refused_on_the_form_with_the_text_kept(client, supervisor, case, days):
    client.force_login(supervisor)
    response = send(client, case, reason="我写的督办内容", respond_within=days)
    page = response.content.decode()
    assert response.status_code == 400
    assert textarea(page, "reason") == "我写的督办内容"
    assert "答复时限应为 1 至 30 个工作日。" in page
    assert not SupervisionOrder.objects.exists()


def test_the_service_refuses_working_days_out_of_range(supervisor, case):
    with pytest.raises(InvalidInput) as refused:
        supervision_services.issue_supervision_order(
            case_id=case.pk, actor=supervisor, reason="请答复", respond_within=0
        )
    assert "respond_within" in refused.value.details
    assert not SupervisionOrder.objects.exists()


# --- one open order at a time ------------------------------------------------------------------------


def test_a_second_plain_order_while_one_is_open_is_refused_on_the_form_with_nothing_lost(
    client, supervisor, caseworker, case
):
    client.force_login(supervisor)
    send(client, case)
    response = send(client, case, reason="第二份督办内容")
    page = response.content.decode()
    assert response.status_code == 409
    assert f"案件 {case.number} 在 2026-09-30 发出的督办单尚待部门答复（答复期限 {THREE_WORKING_DAYS_ON}）" in page
    assert "请升级为挂牌督办并说明理由" in page
    assert textarea(page, "reason") == "第二份督办内容"
    assert SupervisionOrder.objects.count() == 1
    # Once the department has answered, the supervisor may order again.
    supervision_services.respond_to_supervision_order(
        order_id=SupervisionOrder.objects.get().pk, actor=caseworker, response="已办理"
    )
    assert send(client, case, reason="第二份督办内容").status_code == 302
    assert SupervisionOrder.objects.count() == 2


def test_the_service_refuses_a_second_plain_order_while_one_is_open(supervisor, case):
    supervision_services.issue_supervision_order(case_id=case.pk, actor=supervisor, reason="请答复")
    with pytest.raises(IllegalTransition):
        supervision_services.issue_supervision_order(case_id=case.pk, actor=supervisor, reason="再次督办")
    assert SupervisionOrder.objects.count() == 1


def test_the_form_says_an_order_is_open_and_offers_the_escalation(client, supervisor, case):
    supervision_services.issue_supervision_order(case_id=case.pk, actor=supervisor, reason="第一份督办单")
    client.force_login(supervisor)
    page = client.get(url(case)).content.decode()
    assert "第一份督办单" in page and "尚待部门答复" in page
    assert re.search(r'<input type="checkbox" name="escalate"[^>]*checked', page)


def test_escalating_needs_a_reason(client, supervisor, case):
    supervision_services.issue_supervision_order(case_id=case.pk, actor=supervisor, reason="第一份督办单")
    client.force_login(supervisor)
    response = send(client, case, reason="请区级挂牌督办", escalate="on", escalation_reason="  ")
    page = response.content.decode()
    assert response.status_code == 400
    assert "请说明升级为挂牌督办的理由。" in page
    assert textarea(page, "reason") == "请区级挂牌督办"
    assert SupervisionOrder.objects.count() == 1
    with pytest.raises(InvalidInput) as refused:
        supervision_services.issue_supervision_order(case_id=case.pk, actor=supervisor, reason="x", escalate=True)
    assert "escalation_reason" in refused.value.details


def test_escalating_with_a_reason_over_an_open_order_puts_the_case_under_district_supervision(
    client, supervisor, caseworker, case
):
    supervision_services.issue_supervision_order(case_id=case.pk, actor=supervisor, reason="第一份督办单")
    client.force_login(supervisor)
    response = send(client, case, reason="请区级挂牌督办", escalate="on", escalation_reason="逾期已近一个月仍未答复")
    assert response.status_code == 302
    order = SupervisionOrder.objects.get(level="escalation")
    assert (order.reason, order.escalation_reason) == ("请区级挂牌督办", "逾期已近一个月仍未答复")
    case.refresh_from_db()
    assert case.supervision_stage == Stage.ESCALATED
    notification = Notification.objects.filter(kind="supervision.issued", recipient=caseworker).order_by("pk").last()
    assert notification.title == f"挂牌督办：案件 {case.number}"
    assert "升级为挂牌督办的理由：逾期已近一个月仍未答复" in notification.body
    assert "逾期已近一个月仍未答复" in client.get(f"/supervision/orders/{order.pk}/").content.decode()
    # The sweep does not escalate the step a second time.
    sweep.sweep(now=datetime(2026, 11, 30, 10, tzinfo=ZoneInfo("Asia/Shanghai")))
    assert SupervisionOrder.objects.filter(case=case, level="escalation").count() == 1


# --- a case under district-level supervision (挂牌督办) -------------------------------------------


def test_a_case_under_district_supervision_takes_no_plain_order(client, supervisor, caseworker, case):
    escalated_by_the_sweep(case, caseworker, answered=True)
    orders = SupervisionOrder.objects.count()
    client.force_login(supervisor)
    page = client.get(url(case)).content.decode()
    assert f"案件 {case.number} 已挂牌督办，不能再发普通督办单" in page
    response = send(client, case, reason="普通督办")
    assert response.status_code == 409
    assert f"案件 {case.number} 已挂牌督办，不能再发普通督办单" in response.content.decode()
    assert SupervisionOrder.objects.count() == orders
    with pytest.raises(IllegalTransition):
        supervision_services.issue_supervision_order(case_id=case.pk, actor=supervisor, reason="普通督办")


def test_a_case_under_district_supervision_takes_an_escalation_with_its_reason(client, supervisor, caseworker, case):
    escalated_by_the_sweep(case, caseworker, answered=True)
    client.force_login(supervisor)
    response = send(client, case, reason="再次挂牌督办", escalate="on", escalation_reason="答复后仍未付款")
    assert response.status_code == 302
    assert SupervisionOrder.objects.filter(case=case, issued_by=supervisor, level="escalation").exists()


def test_no_further_order_while_the_district_level_order_awaits_its_answer(client, supervisor, caseworker, case):
    escalated_by_the_sweep(case, caseworker, answered=False)
    orders = SupervisionOrder.objects.count()
    client.force_login(supervisor)
    page = client.get(url(case)).content.decode()
    assert f"案件 {case.number} 已挂牌督办" in page and "答复之前不能再发督办单" in page
    assert re.search(r'<button type="submit" name="action" value="send" disabled', page)
    response = send(client, case, reason="再次挂牌督办", escalate="on", escalation_reason="领导批示")
    assert response.status_code == 409
    assert textarea(response.content.decode(), "reason") == "再次挂牌督办"
    assert SupervisionOrder.objects.count() == orders


def test_a_reason_for_escalating_without_the_escalation_ticked_is_not_dropped_silently(client, supervisor, case):
    client.force_login(supervisor)
    response = send(client, case, reason="请尽快办理", escalation_reason="逾期已久")
    page = response.content.decode()
    assert response.status_code == 400
    assert "已填写升级督办理由：请勾选“升级为挂牌督办”，或清空理由后发出普通督办单。" in page
    assert textarea(page, "escalation_reason") == "逾期已久"
    assert not SupervisionOrder.objects.exists()
