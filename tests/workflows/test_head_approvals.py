"""The department head's approvals wait first in 我的待办 (not in the 待认领 tab), and the approval
offers approve, send back and refuse, each reason written where it is asked for."""

import re

import pytest

from cases.core import states
from cases.core.models import Notice
from cases.core.roles import Role
from cases.repair import services as repair
from notifications.models import Notification
from tests.factories import (
    StaffFactory,
    repair_office,
    submitted_application,
)
from workflows import engine, selectors
from workflows.flows import DEPARTMENT_DECISION

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_16_november")]


@pytest.fixture
def people(db):
    other_head = StaffFactory(username="other-head", department__code="fgj", role=Role.DEPARTMENT_HEAD)
    return {**repair_office(), "other_head": other_head}


def application(people, number="甘市监罚〔2026〕12号"):
    return submitted_application(people, decision_number=number)


def proposed(people, approve=True, reason="", number="甘市监罚〔2026〕12号"):
    app = application(people, number)
    repair.accept(actor=people["worker"], application_id=app.pk)
    repair.start_review(actor=people["worker"], application_id=app.pk)
    repair.propose_decision(actor=people["worker"], application_id=app.pk, approve=approve, reason=reason)
    return app


def test_the_approval_waits_first_in_the_heads_inbox_not_in_the_queue(client, people):
    held = application(people, number="甘市监罚〔2026〕13号")
    repair.accept(actor=people["head"], application_id=held.pk)  # a task in the head's own hands
    repair.start_review(actor=people["head"], application_id=held.pk)
    waiting = proposed(people)
    client.force_login(people["head"])
    page = client.get("/tasks/").content.decode()
    assert "我的待办" in page and "待您审批" in page
    assert waiting.case.number in page and held.case.number in page
    assert page.index(waiting.case.number) < page.index(held.case.number)
    assert "（2）" in page or "(2)" in page  # the tab counts the approval
    assert waiting.case.number not in client.get("/tasks/?tab=queue").content.decode()


def test_another_departments_head_does_not_get_the_approval(client, people):
    waiting = proposed(people)
    client.force_login(people["other_head"])
    assert waiting.case.number not in client.get("/tasks/").content.decode()


def test_the_caseworker_does_not_get_the_approval(client, people):
    waiting = proposed(people)
    client.force_login(people["worker"])
    assert waiting.case.number not in client.get("/tasks/").content.decode()
    assert waiting.case.number not in client.get("/tasks/?tab=queue").content.decode()


def test_the_inbox_opens_the_application_with_approve_send_back_and_refuse(client, people):
    waiting = proposed(people, reason="已履行全部义务")
    [task] = engine.active_tasks(waiting.case)
    client.force_login(people["head"])
    response = client.get(f"/tasks/{task.pk}/", follow=True)
    page = response.content.decode()
    number = waiting.case.number
    assert response.redirect_chain[-1][0] == f"/repair/{number}/"
    assert "待您审批" in page and "准予修复" in page and "已履行全部义务" in page
    assert f'action="/repair/{number}/approve/"' in page
    assert f'action="/repair/{number}/send-back/"' in page and "发回重审理由（承办人可见）" in page
    assert f'action="/repair/{number}/reject/"' in page and "不予修复理由（申请人可见）" in page
    assert page.count('name="reason" rows="3" required') >= 2


def test_the_head_refuses_with_a_reason_the_applicant_reads(client, people):
    waiting = proposed(people)
    client.force_login(people["head"])
    client.post(f"/repair/{waiting.case.number}/reject/", {"reason": "缴款凭证与处罚决定金额不符"})
    waiting.case.refresh_from_db()
    assert waiting.case.state == "rejected"
    assert Notice.objects.filter(case=waiting.case, kind="refusal_decision").exists()
    note = Notification.objects.filter(recipient=people["entity"]).latest("pk")
    assert note.body == "缴款凭证与处罚决定金额不符"
    assert list(engine.active_tasks(waiting.case)) == []
    client.force_login(people["entity"])
    assert "缴款凭证与处罚决定金额不符" in client.get(f"/repair/{waiting.case.number}/").content.decode()


def test_a_refusal_without_a_reason_changes_nothing(client, people):
    waiting = proposed(people)
    client.force_login(people["head"])
    response = client.post(f"/repair/{waiting.case.number}/reject/", {"reason": " "})
    assert response.status_code == 400
    waiting.case.refresh_from_db()
    assert waiting.case.state == "under_review"


def test_the_head_sends_back_from_the_approval_and_the_caseworker_is_told(client, people):
    waiting = proposed(people)
    client.force_login(people["head"])
    client.post(f"/repair/{waiting.case.number}/send-back/", {"reason": "请核实缴款金额"})
    note = Notification.objects.filter(recipient=people["worker"], kind="repair.head_decided").get()
    assert note.body == "请核实缴款金额" and note.as_message()["url"] == f"/repair/{waiting.case.number}/"
    client.force_login(people["head"])
    page = re.sub(r'<ul class="messages">.*?</ul>', "", client.get("/tasks/").content.decode(), flags=re.S)
    assert waiting.case.number not in page  # back with the caseworker (the message above the list names it)


def test_a_caseworker_cannot_refuse_at_approval(client, people):
    waiting = proposed(people)
    client.force_login(people["worker"])
    assert client.post(f"/repair/{waiting.case.number}/reject/", {"reason": "不行"}).status_code == 403
    waiting.case.refresh_from_db()
    assert waiting.case.state == "under_review"


def test_an_extension_awaiting_the_head_is_listed_in_their_inbox(client, people):
    app = application(people)
    repair.accept(actor=people["worker"], application_id=app.pk)
    repair.request_extension(actor=people["worker"], application_id=app.pk, reason="案情复杂")
    client.force_login(people["head"])
    page = client.get("/tasks/").content.decode()
    assert "待您审批的延期申请" in page and f'href="/repair/{app.case.number}/"' in page
    client.force_login(people["other_head"])
    assert "待您审批的延期申请" not in client.get("/tasks/").content.decode()


def test_approvals_beyond_the_first_page_follow_on_the_next_and_all_are_counted(client, people, monkeypatch):
    monkeypatch.setattr("workflows.views.PAGE_SIZE", 2)
    held = application(people, number="甘市监罚〔2026〕20号")
    repair.accept(actor=people["head"], application_id=held.pk)
    repair.start_review(actor=people["head"], application_id=held.pk)
    waiting = [proposed(people, number=f"甘市监罚〔2026〕{n}号") for n in (21, 22, 23)]
    client.force_login(people["head"])
    first, second = (client.get("/tasks/", {"page": page}).content.decode() for page in (1, 2))
    numbers = [app.case.number for app in waiting]
    on_first = [number for number in numbers if number in first]
    assert len(on_first) == 2 and held.case.number not in first
    assert [number for number in numbers if number in second] == [n for n in numbers if n not in on_first]
    assert held.case.number in second
    assert "（4）" in first or "(4)" in first


def test_no_state_awaiting_an_approval_is_one_a_case_closes_in():
    """The head's approvals are found by their cases' states without "open" said as well
    (selectors.pooled_approvals): were a closing state among them, a closed case's approval would
    be listed."""
    awaiting = set(selectors.states_awaiting(DEPARTMENT_DECISION))
    assert awaiting
    for kind, closed in states.CLOSED.items():
        assert not awaiting & {str(state) for state in closed}, kind
