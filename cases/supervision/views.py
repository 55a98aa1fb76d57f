"""Pages of supervision: the supervisor board (督办台), supervision orders and the department's
response."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from cases.complaints.models import Channel
from cases.core import policies, selectors
from cases.core.deadlines import working_days_overdue
from cases.core.models import CaseKind, Department, Stage, SupervisionLevel
from cases.infra.listing import Filter, Listing, Paging
from cases.infra.navigation import redirect_back
from cases.supervision import services as supervision_services


class SupervisionOrderForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("What the department must do"),
        widget=forms.Textarea(attrs={"rows": 3, "aria-label": gettext_lazy("What the department must do")}),
    )


class ResponseForm(forms.Form):
    response = forms.CharField(
        label=gettext_lazy("The department's response"), widget=forms.Textarea(attrs={"rows": 5})
    )


def _without(request, name: str) -> str:
    """This page's address without one parameter (where an order issued from it comes back to)."""
    params = request.GET.copy()
    params.pop(name, None)
    return f"{request.path}?{params.urlencode()}" if params else request.path


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _digits(field: str):
    return lambda cases, value: cases.filter(**{field: int(value)}) if value.isdigit() else cases


def _overdue(cases, value: str):
    return cases.filter(next_due_at__lte=timezone.now()) if value == "1" else cases


BOARD_FILTERS = (
    Filter("department", _digits("department_id")),
    Filter("kind", lambda cases, kind: cases.filter(kind=kind) if kind in CaseKind.values else cases),
    Filter("subject", lambda cases, subject: cases.filter(complaint_subject=subject) if subject else cases),
    Filter("channel", _digits("complaint_channel_id")),
    Filter("stage", _digits("supervision_stage")),
    Filter("overdue", _overdue),
    Filter("q", selectors.search_cases),
)
# Staff see their own department's board: a department in the address is not theirs to choose.
OWN_BOARD_FILTERS = tuple(item for item in BOARD_FILTERS if item.name != "department")


class _DaysOverdue:
    """Working days overdue per due date, counted once per page over the cached holiday table."""

    def __init__(self, today):
        self.today = today
        self._days: dict = {}

    def __call__(self, deadline) -> int:
        if deadline.due_on not in self._days:
            self._days[deadline.due_on] = working_days_overdue(deadline, self.today)
        return self._days[deadline.due_on]


def _default_order(case, deadline, days_overdue: int) -> str:
    """The order a supervisor issues with one click (editable before sending)."""
    if deadline is None:
        return _("Case %(number)s (%(state)s): report on its progress in answer to this order.") % {
            "number": case.number,
            "state": case.state_label,
        }
    facts = {"number": case.number, "step": deadline.label, "due": f"{deadline.due_on:%Y-%m-%d}", "days": days_overdue}
    if days_overdue:
        return (
            _(
                "Case %(number)s (%(step)s) was due on %(due)s and is %(days)s working days overdue. "
                "Deal with it at once and answer this order."
            )
            % facts
        )
    return _("Case %(number)s (%(step)s) is due on %(due)s. See that it is done in time and answer this order.") % facts


def _url_for_each(name: str):
    """Links of one kind for every row of a page: reversed once and filled in, since reversing
    each costs as much as the rest of the row."""
    marker = 999999937
    head, tail = reverse(name, args=[marker]).rsplit(str(marker), 1)
    return lambda value: f"{head}{value}{tail}"


def _options(choices, chosen: str) -> list[dict]:
    return [{"value": str(value), "label": label, "selected": str(value) == chosen} for value, label in choices]


def _board_rows(page, supervising: bool) -> list[dict]:
    """What each row shows, ready to print: the page is rendered on every change of any case,
    so the template only looks values up."""
    now = timezone.now()
    days_overdue = _DaysOverdue(timezone.localdate(now))
    deadlines = selectors.open_deadlines_by_case([case.pk for case in page])
    stages = {value: str(label) for value, label in Stage.choices}
    kinds = {value: str(label) for value, label in CaseKind.choices}
    states: dict[tuple[str, str], str] = {}
    case_url, order_url = _url_for_each("case-detail"), _url_for_each("supervision-issue")
    rows = []
    for case in page:
        open_ = deadlines[case.pk]
        # Only the office's deadlines are overdue against a department; a party's own time (the
        # complainant's confirmation window) is shown as the step when nothing else runs.
        supervised = [deadline for deadline in open_ if deadline.supervised]
        running = [deadline for deadline in supervised if not deadline.is_paused]
        current = running[0] if running else (supervised or open_ or [None])[0]
        overdue = bool(running) and current.due_at <= now
        days = days_overdue(current) if overdue else 0
        office_step = current if current is not None and current.supervised else None
        if (case.kind, case.state) not in states:
            states[case.kind, case.state] = str(case.state_label)
        rows.append(
            {
                "number": case.number,
                "title": case.title,
                "url": case_url(case.number),
                "kind": kinds.get(case.kind, case.kind),
                "state": states[case.kind, case.state],
                "step": current.label if current else "",
                "department": case.department.name if case.department_id else "",
                "assignee": str(case.assignee) if case.assignee_id else "",
                "due_on": f"{current.due_on:%Y-%m-%d}" if current else "",
                "paused": current is not None and current.is_paused,
                "overdue": overdue,
                "days_overdue": days,
                "overdue_label": ngettext("%(days)s working day overdue", "%(days)s working days overdue", days)
                % {"days": days},
                "stage": case.supervision_stage,
                "stage_label": stages.get(case.supervision_stage, ""),
                "order_url": order_url(case.pk) if supervising else "",
                "order": _default_order(case, office_step, days) if supervising else "",
            }
        )
    return rows


@login_required
def deadline_board(request):
    """The supervisor board (督办台): every open case, most urgent first, live (board.js)."""
    user = request.user
    supervising = selectors.can_supervise(user)
    _require(supervising or selectors.works_department_cases(user))
    listing = Listing(request, selectors.board_cases(user), BOARD_FILTERS if supervising else OWN_BOARD_FILTERS)
    filters = {"department": "", **listing.values}
    context = {
        "page": listing.page,
        "rows": _board_rows(listing.page, supervising),
        "supervising": supervising,
        "board_url": _without(request, "fragment"),
    }
    if request.GET.get("fragment") == "1":
        return render(request, "cases/board_rows.html", context)
    departments = [(d.pk, d.name) for d in Department.objects.filter(active=True)] if supervising else []
    context.update(
        {
            "filters": filters,
            "departments": _options(departments, filters["department"]),
            "kinds": _options(CaseKind.choices, filters["kind"]),
            "subjects": _options(
                [(item["code"], item["name"]) for item in policies.choices("complaint", "subjects")], filters["subject"]
            ),
            "channels": _options(Channel.objects.order_by("code").values_list("pk", "name"), filters["channel"]),
            "stages": _options(Stage.choices, filters["stage"]),
            "querystring": listing.querystring,
        }
    )
    return render(request, "cases/deadline_board.html", context)


@login_required
@require_POST
def issue_order(request, case_id: int):
    form = SupervisionOrderForm(request.POST)
    reason = form.data.get("reason", "")
    order = supervision_services.issue_supervision_order(case_id=case_id, actor=request.user, reason=reason)
    messages.success(request, _("Supervision order issued on case %(number)s.") % {"number": order.case.number})
    return redirect_back(request, "supervision-orders")


def _by_status(orders, status: str):
    if status == "open":
        return orders.filter(responded_at__isnull=True)
    if status == "answered":
        return orders.filter(responded_at__isnull=False)
    return orders


ORDER_FILTERS = (
    Filter("status", _by_status, default="open", strip=False),
    Filter("level", lambda orders, level: orders.filter(level=level) if level in SupervisionLevel.values else orders,
           strip=False),
)  # fmt: skip


@login_required
def order_list(request):
    user = request.user
    _require(selectors.can_supervise(user) or selectors.works_department_cases(user))
    listing = Listing(request, selectors.supervision_orders_visible_to(user), ORDER_FILTERS, paging=Paging.COUNTED)
    return render(request, "cases/supervision_orders.html", listing.context(levels=SupervisionLevel.choices))


@login_required
def order_respond(request, order_id: int):
    order = get_object_or_404(selectors.supervision_orders_visible_to(request.user), pk=order_id)
    form = ResponseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        supervision_services.respond_to_supervision_order(
            order_id=order.pk, actor=request.user, response=form.cleaned_data["response"]
        )
        messages.success(request, _("Your response has been sent to the supervisors."))
        return redirect("supervision-orders")
    return render(request, "cases/supervision_order.html", {"order": order, "form": form})
