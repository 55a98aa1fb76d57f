"""The case page: what the case is, its deadlines, its supervision orders and every step on record."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from cases.core import selectors
from cases.core.event_types import EventType
from cases.core.models import CaseKind


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
            "concerns": selectors.concerns_of(case) if staff_view else {},
        },
    )


def tracking_link(case) -> str:
    """The public tracking page with the case number and its verification code filled in."""
    query = urlencode({"number": case.number, "code": case.verification_code})
    return f"{settings.SITE_URL}{reverse('track')}?{query}"


@login_required
def case_receipt(request, number: str):
    """The receipt (回执) after filing: the case number and the verification code that opens the
    public tracking page, when it was received, who handles it and by when; printable. Also
    reachable later from the case's page, for the applicant and for staff."""
    case = get_object_or_404(selectors.cases_visible_to(request.user), number=number)
    if case.kind == "repair" and case.repair.submitted_at is None:
        raise Http404  # a draft has not been filed: nothing to acknowledge yet
    received_at = case.repair.submitted_at if case.kind == "repair" else case.created_at
    next_deadline = case.deadlines.filter(closed_at__isnull=True, supervised=True).order_by("due_at").first()
    return render(
        request,
        "cases/receipt.html",
        {"case": case, "received_at": received_at, "next_deadline": next_deadline,
         "tracking_link": tracking_link(case)},
    )  # fmt: skip
