"""Pages of supervision: open deadlines (督办台), supervision orders and the department's response."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cases import selectors, services
from cases.deadlines import working_days_overdue
from cases.models import Department, SupervisionLevel
from cases.navigation import redirect_back

PAGE_SIZE = 25


class SupervisionOrderForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("What the department must do"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ResponseForm(forms.Form):
    response = forms.CharField(
        label=gettext_lazy("The department's response"), widget=forms.Textarea(attrs={"rows": 5})
    )


def querystring_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return f"{params.urlencode()}&" if params else ""


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


@login_required
def deadline_board(request):
    user = request.user
    _require(selectors.can_supervise(user) or selectors.works_department_cases(user))
    deadlines = selectors.open_deadlines_visible_to(user).order_by("due_at", "pk")
    department = request.GET.get("department", "")
    if department.isdigit():
        deadlines = deadlines.filter(department_id=int(department))
    if request.GET.get("overdue") == "1":
        deadlines = deadlines.filter(due_at__lte=timezone.now())
    query = request.GET.get("q", "").strip()
    if query:
        deadlines = deadlines.filter(case__number__icontains=query) | deadlines.filter(case__title__icontains=query)
    page = Paginator(deadlines, PAGE_SIZE).get_page(request.GET.get("page"))
    today, now = timezone.localdate(), timezone.now()
    rows = [
        {
            "deadline": deadline,
            "overdue": deadline.due_at <= now,
            "days_overdue": working_days_overdue(deadline, today) if deadline.due_at <= now else 0,
        }
        for deadline in page
    ]
    return render(
        request,
        "cases/deadline_board.html",
        {
            "page": page,
            "rows": rows,
            "departments": Department.objects.filter(active=True) if selectors.can_supervise(user) else [],
            "filters": {"department": department, "overdue": request.GET.get("overdue", ""), "q": query},
            "order_form": SupervisionOrderForm(),
            "querystring": querystring_without_page(request),
        },
    )


@login_required
@require_POST
def issue_order(request, case_id: int):
    form = SupervisionOrderForm(request.POST)
    reason = form.data.get("reason", "")
    order = services.issue_supervision_order(case_id=case_id, actor=request.user, reason=reason)
    messages.success(request, _("Supervision order issued on case %(number)s.") % {"number": order.case.number})
    return redirect_back(request, "supervision-orders")


@login_required
def order_list(request):
    user = request.user
    _require(selectors.can_supervise(user) or selectors.works_department_cases(user))
    orders = selectors.supervision_orders_visible_to(user)
    status = request.GET.get("status", "open")
    if status == "open":
        orders = orders.filter(responded_at__isnull=True)
    elif status == "answered":
        orders = orders.filter(responded_at__isnull=False)
    level = request.GET.get("level", "")
    if level in SupervisionLevel.values:
        orders = orders.filter(level=level)
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/supervision_orders.html",
        {
            "page": page,
            "status": status,
            "level": level,
            "levels": SupervisionLevel.choices,
            "querystring": querystring_without_page(request),
        },
    )


@login_required
def order_respond(request, order_id: int):
    order = get_object_or_404(selectors.supervision_orders_visible_to(request.user), pk=order_id)
    form = ResponseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.respond_to_supervision_order(
            order_id=order.pk, actor=request.user, response=form.cleaned_data["response"]
        )
        messages.success(request, _("Your response has been sent to the supervisors."))
        return redirect("supervision-orders")
    return render(request, "cases/supervision_order.html", {"order": order, "form": form})
