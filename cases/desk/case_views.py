"""The case page: what the case is, its deadlines, its supervision orders and every step on record."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from cases.core import selectors
from cases.core.event_types import EventType
from cases.core.models import CaseKind
from cases.supervision.views import SupervisionOrderForm


@login_required
def case_detail(request, number: str):
    case = get_object_or_404(selectors.cases_visible_to(request.user), number=number)
    staff_view = selectors.can_supervise(request.user) or selectors.works_department_cases(request.user)
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "staff_view": staff_view,
            "deadlines": case.deadlines.select_related("department", "assignee").order_by("due_at"),
            "orders": case.supervision_orders.select_related("department", "issued_by", "responded_by"),
            "timeline": selectors.case_timeline(case) if staff_view else [],
            "accepted": selectors.case_timeline(case).filter(event_type=EventType.REPAIR_ACCEPT).first()
            if case.kind == CaseKind.REPAIR
            else None,
            "now": timezone.now(),
            "order_form": SupervisionOrderForm(),
        },
    )
