"""The supervisor board in a browser follows the cases live: a case falling overdue and the
sweep's supervision order show up on the open board without a reload, with its filters kept."""

import secrets

import pytest
from django.db import transaction
from django.utils import timezone, translation

from cases.core import services, workdays
from cases.core.models import Department, Stage, User
from cases.supervision import sweep as supervision

pytestmark = pytest.mark.e2e


def zh(text) -> str:
    """A label as the pages show it (Chinese first)."""
    with translation.override("zh-hans"):
        return str(text)


def overdue_case(title: str, working_days_overdue: int):
    """A complaint of the market regulator whose answer was due `working_days_overdue` working
    days ago (the sweep has not seen it yet)."""
    due_on = workdays.add_working_days(timezone.localdate(), -working_days_overdue)
    with transaction.atomic():
        case = services.open_case(
            kind="complaint", title=title, actor=User.objects.get(username="dengji"),
            department=Department.objects.get(code="scjg"), state="in_progress",
        )  # fmt: skip
        services.start_deadline_on(case=case, step="complaint.answer", label="部门答复", due_on=due_on)
    return case


def row(number: str) -> str:
    return f"#board-rows tr[data-case='{number}']"


def test_a_case_falling_overdue_appears_on_the_open_board_without_a_reload(browser, orm):
    token = f"逾期测试{secrets.token_hex(3)}"
    supervisor = browser("duban")
    supervisor.visit(f"/supervision/?overdue=1&q={token}")
    supervisor.wait_for("#board-rows td.muted")  # nothing matches yet
    supervisor.wait_live()
    page = supervisor.mark_page()

    case = overdue_case(f"{token} 拖欠工程款", working_days_overdue=2)

    shown = supervisor.wait_for(row(case.number))
    days = workdays.working_days_between(case.deadlines.get().due_on, timezone.localdate())
    assert f"逾期 {days} 个工作日" in shown.text
    assert "区市场监管局" in shown.text
    assert supervisor.same_page(page), "the row arrived without a reload"
    assert supervisor.find("input[name=q]").get_attribute("value") == token  # the filters are kept


def test_the_sweeps_supervision_order_shows_on_the_open_board(browser, orm):
    token = f"督办测试{secrets.token_hex(3)}"
    case = overdue_case(f"{token} 政策不兑现", working_days_overdue=3)
    supervisor = browser("duban")
    supervisor.visit(f"/supervision/?q={token}")
    supervisor.wait_for(row(case.number), text=zh(Stage.WATCHED.label))
    supervisor.wait_live()
    page = supervisor.mark_page()

    fired = supervision.sweep()  # what the beat's sweep does every minute

    assert fired.fired["deadline.supervised"] >= 1
    supervisor.wait_for(row(case.number), text=zh(Stage.SUPERVISED.label))
    assert supervisor.same_page(page), "the stage changed without a reload"
