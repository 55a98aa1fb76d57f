"""The supervision order form in a browser: from the board, the supervisor reads and edits the
order, chooses the working days to answer (the date follows as they type), previews what the
department will receive, and only then sends it."""

import secrets

import pytest
from django.db import transaction
from django.utils import timezone

from cases.core import services, workdays
from cases.core.models import Department, User
from cases.supervision.models import SupervisionOrder

pytestmark = pytest.mark.e2e


def overdue_case(title: str):
    due_on = workdays.add_working_days(timezone.localdate(), -2)
    with transaction.atomic():
        case = services.open_case(
            kind="complaint", title=title, actor=User.objects.get(username="dengji"),
            department=Department.objects.get(code="scjg"), state="in_progress",
        )  # fmt: skip
        services.start_deadline_on(case=case, step="complaint.answer", label="部门答复", due_on=due_on)
    return case


def test_the_supervisor_reads_edits_and_times_the_order_before_sending_it(browser, orm):
    token = f"督办单表单{secrets.token_hex(3)}"
    case = overdue_case(f"{token} 拖欠工程款")
    five_days_on = f"{workdays.add_working_days(timezone.localdate(), 5):%Y-%m-%d}"
    supervisor = browser("duban")
    supervisor.visit(f"/supervision/?q={token}")
    supervisor.click(f"#board-rows tr[data-case='{case.number}'] td.board-order a")

    assert case.number in supervisor.wait_for("textarea[name=reason]").get_attribute("value")
    assert not SupervisionOrder.objects.filter(case=case).exists()  # opening the form sends nothing
    supervisor.fill("input[name=respond_within]", "5")
    supervisor.wait_for("#respond-by", text=f"答复期限：{five_days_on}")
    supervisor.fill("textarea[name=reason]", "请核实企业诉求后答复。")
    supervisor.wait_for("#preview-stale")  # the preview below is of the text before the edit
    supervisor.click("button[value=preview]")
    preview = supervisor.wait_for("#order-preview", text="请核实企业诉求后答复。").text
    assert f"请于 {five_days_on} 前（5 个工作日内）答复本督办单。" in preview
    assert not SupervisionOrder.objects.filter(case=case).exists()

    supervisor.click("button[value=send]")
    supervisor.wait_for(".messages", text=f"已对案件 {case.number} 发出督办单，答复期限 {five_days_on}。")
    order = SupervisionOrder.objects.get(case=case)
    assert (order.reason, f"{order.respond_by:%Y-%m-%d}") == ("请核实企业诉求后答复。", five_days_on)
