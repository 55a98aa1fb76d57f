"""Pages of supervision: the supervisor board (督办台), supervision orders and the department's
response."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cases.complaints.models import Channel
from cases.core import department_options, feedback, policies, selectors, staff_speed
from cases.core.deadlines import office_today, working_days_overdue
from cases.core.models import Case, CaseKind, Stage, SupervisionLevel, User
from cases.core.services import department_recipients
from cases.infra.listing import Filter, Listing, Paging
from cases.infra.navigation import redirect_back, url_for_each
from cases.infra.replica import reads_from_replica
from cases.supervision import services as supervision_services


def _days_out_of_range() -> str:
    return _("Give between 1 and %(most)s working days to answer.") % {"most": supervision_services.MAX_RESPOND_WITHIN}


class SupervisionOrderForm(forms.Form):
    """The order as the supervisor sends it: its text, the working days to answer it, and, to go
    above an open order or a case under 挂牌督办, an escalation with its reason."""

    reason = forms.CharField(
        label=gettext_lazy("Text of the order"),
        widget=forms.Textarea(attrs={"rows": 6, "aria-label": gettext_lazy("Text of the order")}),
        error_messages={"required": gettext_lazy("Say what the department must do.")},
    )
    respond_within = forms.IntegerField(
        label=gettext_lazy("Working days to answer"),
        widget=forms.NumberInput(attrs={"min": 1, "max": supervision_services.MAX_RESPOND_WITHIN}),
        error_messages={
            "required": gettext_lazy("Give the working days the department has to answer."),
            "invalid": lazy(_days_out_of_range, str)(),
        },
    )
    escalate = forms.BooleanField(label=gettext_lazy("Escalate to district-level supervision"), required=False)
    escalation_reason = forms.CharField(
        label=gettext_lazy("Reason for escalating"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_respond_within(self):
        days = self.cleaned_data["respond_within"]
        if not 1 <= days <= supervision_services.MAX_RESPOND_WITHIN:
            raise forms.ValidationError(_days_out_of_range())
        return days

    def clean(self):
        data = super().clean()
        reason_given = bool((data.get("escalation_reason") or "").strip())
        if data.get("escalate") and not reason_given:
            self.add_error("escalation_reason", _("Say why the case is escalated to district-level supervision."))
        if reason_given and not data.get("escalate"):
            self.add_error(
                "escalation_reason",
                _("A reason for escalating is given: tick the escalation, or clear the reason to send a plain order."),
            )
        return data


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


def _current_step(open_deadlines: list, now) -> tuple:
    """The step a case waits on and whether it is overdue. Only the office's deadlines are
    overdue against a department; a party's own time (the complainant's confirmation window) is
    the step when nothing else runs."""
    supervised = [deadline for deadline in open_deadlines if deadline.supervised]
    running = [deadline for deadline in supervised if not deadline.is_paused]
    current = running[0] if running else (supervised or open_deadlines or [None])[0]
    return current, bool(running) and current.due_at <= now


def _default_order(case, deadline, days_overdue: int) -> str:
    """The order's text as the form first shows it (the supervisor edits it before sending). The
    answer's due date is not part of it: it is written from the working days chosen."""
    if deadline is None:
        return _("Case %(number)s (%(state)s): report on its progress.") % {
            "number": case.number,
            "state": case.state_label,
        }
    facts = {
        "number": case.number, "step": deadline.step_name, "due": f"{deadline.due_on:%Y-%m-%d}", "days": days_overdue,
    }  # fmt: skip
    if days_overdue:
        return (
            _(
                "Case %(number)s (%(step)s) was due on %(due)s and is %(days)s working days overdue. "
                "Deal with it at once."
            )
            % facts
        )
    return _("Case %(number)s (%(step)s) is due on %(due)s. See that it is done in time.") % facts


def _options(choices, chosen: str) -> list[dict]:
    return [{"value": str(value), "label": label, "selected": str(value) == chosen} for value, label in choices]


def _board_rows(page, supervising: bool) -> list[dict]:
    """What each row shows, ready to print: the page is rendered on every change of any case,
    so the template only looks values up."""
    now = timezone.now()
    days_overdue = _DaysOverdue(office_today(now))
    deadlines = selectors.open_deadlines_by_case([case.pk for case in page])
    stages = {value: str(label) for value, label in Stage.choices}
    kinds = {value: str(label) for value, label in CaseKind.choices}
    states: dict[tuple[str, str], str] = {}
    case_url, order_url = url_for_each("case-detail"), url_for_each("supervision-issue")
    rows = []
    for case in page:
        current, overdue = _current_step(deadlines[case.pk], now)
        days = days_overdue(current) if overdue else 0
        if (case.kind, case.state) not in states:
            states[case.kind, case.state] = str(case.state_label)
        rows.append(
            {
                "number": case.number,
                "title": case.title,
                "url": case_url(case.number),
                "kind": kinds.get(case.kind, case.kind),
                "state": states[case.kind, case.state],
                "step": current.step_name if current else "",
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
            }
        )
    return rows


def _live_refresh(request) -> bool:
    """board.js fetching the rows after a push about a change just committed: the replica may not
    have it yet, and no second push would come, so it reads the primary."""
    return request.GET.get("fragment") == "1"


@login_required
@staff_speed.with_default_filter("deadline-board")
@reads_from_replica(unless=_live_refresh)
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
    context.update(
        {
            "filters": filters,
            "department_options": department_options.options(chosen=filters["department"]) if supervising else "",
            "kinds": _options(CaseKind.choices, filters["kind"]),
            "subjects": _options(
                [(item["code"], item["name"]) for item in policies.named_choices("complaint", "subjects")],
                filters["subject"],
            ),
            "channels": _options(
                # Names only: a channel's instance would unseal its secrets for nothing.
                [(c.pk, c.label) for c in Channel.objects.order_by("code").only("pk", "name", "name_en")],
                filters["channel"],
            ),
            "stages": _options(Stage.choices, filters["stage"]),
            "querystring": listing.querystring,
        }
    )
    return render(request, "cases/deadline_board.html", context)


def _order_context(case, form, next_url: str) -> dict:
    """What the order form shows beside the fields: the answer's due date for the days given, and
    the notification exactly as the department will receive it."""
    data = form.cleaned_data if form.is_bound and hasattr(form, "cleaned_data") else {}
    if form.is_bound:
        days, reason = data.get("respond_within"), form.data.get("reason", "")
        escalate = bool(data.get("escalate"))
        escalation_reason = form.data.get("escalation_reason", "") if escalate else ""
    else:
        days, reason = form.initial["respond_within"], form.initial["reason"]
        escalate, escalation_reason = form.initial["escalate"], ""
    respond_by = supervision_services.respond_by_after(days) if days else None
    preview = None
    if respond_by is not None and reason.strip():
        preview = {
            "title": supervision_services.order_title(case, escalate=escalate),
            "body": supervision_services.order_message(
                reason=reason, respond_by=respond_by, respond_within=days, escalation_reason=escalation_reason
            ),
        }
    recipients = (
        User.objects.filter(pk__in=department_recipients(case.department_id, case.assignee_id))
        if case.department_id
        else User.objects.none()
    )
    return {
        "case": case,
        "form": form,
        "respond_by": respond_by,
        "preview": preview,
        "recipients": [str(user) for user in recipients],
        "pending": supervision_services.pending_order(case),
        "plain_refusal": supervision_services.refusal(case, escalate=False),
        "escalation_refusal": supervision_services.refusal(case, escalate=True),
        "next": next_url,
    }


def _first_form(case) -> SupervisionOrderForm:
    current, overdue = _current_step(selectors.open_deadlines_by_case([case.pk])[case.pk], timezone.now())
    office_step = current if current is not None and current.supervised else None
    days = working_days_overdue(current, timezone.localdate()) if overdue else 0
    return SupervisionOrderForm(
        initial={
            "reason": _default_order(case, office_step, days),
            "respond_within": supervision_services.default_respond_within(case),
            # A plain order is not possible here but an escalation is: offer that.
            "escalate": bool(supervision_services.refusal(case, escalate=False))
            and not supervision_services.refusal(case, escalate=True),
        }
    )


@login_required
def issue_order(request, case_id: int):
    """The supervision order form (督办单): the text, editable, and the working days to answer,
    shown as the department will receive them before anything is sent. Only its Send button
    issues the order; Preview shows the edited text again."""
    _require(selectors.can_supervise(request.user))
    case = get_object_or_404(Case.objects.select_related("department"), pk=case_id)
    if request.method != "POST":
        context = _order_context(case, _first_form(case), request.GET.get("next", ""))
        return render(request, "cases/supervision_order_form.html", context)
    form = SupervisionOrderForm(request.POST)
    next_url = request.POST.get("next", "")
    template = "cases/supervision_order_form.html"
    valid = form.is_valid()
    if valid and request.POST.get("action") == "send":
        try:
            order = supervision_services.issue_supervision_order(
                case_id=case.pk,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                respond_within=form.cleaned_data["respond_within"],
                escalate=form.cleaned_data["escalate"],
                escalation_reason=form.cleaned_data["escalation_reason"],
            )
        except feedback.REFUSED as refused:
            return feedback.form_again(request, template, _order_context(case, form, next_url), refused)
        if order.level == SupervisionLevel.ESCALATION:
            message = _("District-level supervision ordered on case %(number)s; answer due %(date)s.")
        else:
            message = _("Supervision order issued on case %(number)s; answer due %(date)s.")
        messages.success(request, message % {"number": case.number, "date": f"{order.respond_by:%Y-%m-%d}"})
        return redirect_back(request, "supervision-orders")
    status = 200 if valid else 400
    return render(request, template, _order_context(case, form, next_url), status=status)


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
        since = feedback.mark()
        try:
            supervision_services.respond_to_supervision_order(
                order_id=order.pk, actor=request.user, response=form.cleaned_data["response"]
            )
        except feedback.REFUSED as error:
            return feedback.form_again(request, "cases/supervision_order.html", {"order": order, "form": form}, error)
        feedback.announce(request, order.case, since)
        return redirect("supervision-orders")
    context = {"order": order, "form": form}
    return render(request, "cases/supervision_order.html", context, status=feedback.status_after(request, form))
