"""A clerk's call-back (回访) in one browser reopens the complaint on the department's board open in
another, live: the hotline complainant is not satisfied, and the caseworker sees the complaint
back in progress without a reload."""

import secrets

import pytest
from django.utils import translation

from cases.complaints import intake as complaint_intake
from cases.complaints import services as complaints
from cases.complaints.models import Channel
from cases.core.models import Department, User
from cases.core.states import ComplaintStatus
from tests.factories import valid_uscc

pytestmark = pytest.mark.e2e


def zh(text) -> str:
    """A label as the pages show it (Chinese first)."""
    with translation.override("zh-hans"):
        return str(text)


def answered_hotline_complaint():
    """A 12345 work order routed to the market regulator and answered by its caseworker `banli`:
    the complainant's turn, and they have no account (a call-back is how the office hears them)."""
    clerk, worker = User.objects.get(username="dengji"), User.objects.get(username="banli")
    complaint, _created = complaint_intake.receive(channel=Channel.objects.get(code="12345"), data={
        "reference": f"12345-E2E-{secrets.token_hex(4)}", "complainant_name": "孙经理",
        "complainant_phone": "13700001111", "enterprise_name": "甘州区恒通商贸有限公司",
        "enterprise_uscc": valid_uscc("91620702MA73E2E00"), "respondent": "区某街道办事处",
        "subject": "other_breach", "facts": "街道办承诺的门面租金减免至今未兑现。",
    })  # fmt: skip
    complaints.register(actor=clerk, complaint_id=complaint.pk, subject="other_breach", respondent="区某街道办事处")
    complaints.assign(actor=clerk, complaint_id=complaint.pk, department_id=Department.objects.get(code="scjg").pk)
    complaints.start_work(actor=worker, complaint_id=complaint.pk)
    answer = "经核实，减免条件未满足。"
    complaints.answer(actor=worker, complaint_id=complaint.pk, finding="unsubstantiated", text=answer)
    complaint.case.refresh_from_db()
    return complaint.case


def test_a_call_back_not_satisfied_reopens_the_complaint_live_on_the_departments_board(browser, orm):
    case = answered_hotline_complaint()
    row = f"#board-rows tr[data-case='{case.number}']"

    caseworker = browser("banli")
    caseworker.visit(f"/supervision/?q={case.number}")
    caseworker.wait_for(row, text=zh(ComplaintStatus.ANSWERED.label))
    caseworker.wait_live()
    board = caseworker.mark_page()

    clerk = browser("dengji")
    clerk.visit(f"/complaints/{case.number}/")
    clerk.click("#callback input[name=reached][value=yes]", navigates=False)
    clerk.find("#callback-opinion option[value=not_satisfied]").click()
    clerk.fill("#callback-note", "租金减免仍未落实，申请复核。")
    clerk.click("#callback button[type=submit]")
    clerk.wait_for(".messages", text="回访已登记")
    clerk.wait_for(".badge", text=zh(ComplaintStatus.IN_PROGRESS.label))

    caseworker.wait_for(row, text=zh(ComplaintStatus.IN_PROGRESS.label))
    assert caseworker.same_page(board), "the complaint reopened on the board without a reload"
