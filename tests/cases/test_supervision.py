"""Supervision orders (督办单): issued by a supervisor or the sweep, answered by the department."""

from datetime import date

import pytest

from cases.core import services
from cases.core.exceptions import IllegalTransition, InvalidInput, NotPermitted
from cases.core.models import AuditEvent
from cases.core.roles import Role
from cases.supervision import services as supervision_services
from cases.supervision.models import SupervisionOrder
from notifications.models import Notification
from tests.factories import CaseFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(caseworker):
    case = CaseFactory(assignee=caseworker)
    services.start_deadline(
        case=case, step="complaint.answer", label="部门答复", policy_key="answer_within", start=date(2025, 3, 3)
    )
    return case


@pytest.fixture
def head(db):
    return StaffFactory(username="head", role=Role.DEPARTMENT_HEAD)


def test_a_supervisor_issues_an_order_to_the_department(case, supervisor, caseworker, head):
    order = supervision_services.issue_supervision_order(case_id=case.pk, actor=supervisor, reason="请于三日内答复企业")
    assert (order.department, order.issued_by, order.level) == (case.department, supervisor, "order")
    assert order.deadline == case.deadlines.get()
    assert AuditEvent.objects.filter(event_type="supervision.issued", actor=supervisor).exists()
    recipients = set(Notification.objects.filter(kind="supervision.issued").values_list("recipient", flat=True))
    assert recipients == {caseworker.pk, head.pk}


def test_a_caseworker_cannot_issue_orders(case, caseworker):
    with pytest.raises(NotPermitted):
        supervision_services.issue_supervision_order(case_id=case.pk, actor=caseworker, reason="x")
    assert not SupervisionOrder.objects.exists()


def test_an_order_needs_a_reason(case, supervisor):
    with pytest.raises(InvalidInput) as exc:
        supervision_services.issue_supervision_order(case_id=case.pk, actor=supervisor, reason="  ")
    assert "reason" in exc.value.details


def test_a_closed_case_cannot_be_supervised(case, supervisor):
    from django.utils import timezone

    case.closed_at = timezone.now()
    case.save()
    with pytest.raises(IllegalTransition):
        supervision_services.issue_supervision_order(case_id=case.pk, actor=supervisor, reason="x")


def test_the_department_answers_and_the_supervisors_are_told(case, supervisor, caseworker):
    order = supervision_services.issue_supervision_order(case_id=case.pk, actor=supervisor, reason="请答复")
    supervision_services.respond_to_supervision_order(
        order_id=order.pk, actor=caseworker, response="已与企业沟通，本周付款"
    )
    order.refresh_from_db()
    assert order.response == "已与企业沟通，本周付款" and order.responded_by == caseworker
    assert Notification.objects.filter(kind="supervision.answered", recipient=supervisor).exists()


def test_an_order_is_answered_once(case, supervisor, caseworker):
    order = supervision_services.issue_supervision_order(case_id=case.pk, actor=supervisor, reason="请答复")
    supervision_services.respond_to_supervision_order(order_id=order.pk, actor=caseworker, response="第一次")
    with pytest.raises(IllegalTransition):
        supervision_services.respond_to_supervision_order(order_id=order.pk, actor=caseworker, response="第二次")
    order.refresh_from_db()
    assert order.response == "第一次"


def test_another_department_cannot_answer(case, supervisor):
    outsider = StaffFactory(department__code="fgj")
    order = supervision_services.issue_supervision_order(case_id=case.pk, actor=supervisor, reason="请答复")
    with pytest.raises(NotPermitted):
        supervision_services.respond_to_supervision_order(order_id=order.pk, actor=outsider, response="不是我们的")


def test_an_empty_answer_is_refused(case, supervisor, caseworker):
    order = supervision_services.issue_supervision_order(case_id=case.pk, actor=supervisor, reason="请答复")
    with pytest.raises(InvalidInput):
        supervision_services.respond_to_supervision_order(order_id=order.pk, actor=caseworker, response="")
