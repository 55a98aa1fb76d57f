"""Supervision orders (督办单) written by a supervisor, and the department's answer to one."""

from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.core import deadlines, events, permissions, policies, scaffold, transitions, workdays
from cases.core.exceptions import IllegalTransition, InvalidInput
from cases.core.models import Case, Deadline, Stage, SupervisionLevel, User
from cases.core.roles import Role
from cases.core.services import department_recipients, refresh_case_deadlines
from cases.supervision.models import SupervisionOrder
from notifications import services as notification_services
from notifications.phrases import Joined, Phrase, named

# The most working days a supervisor may give a department to answer an order.
MAX_RESPOND_WITHIN = 30


def default_respond_within(case: Case) -> int:
    """The policy's working days to answer an order (督办单答复时限), the form's first value."""
    return policies.working_days(case.kind, "supervision_respond_within")


def respond_by_after(days: int, today: date | None = None) -> date:
    """The date an order issued today must be answered by, `days` working days on."""
    return workdays.add_working_days(today or timezone.localdate(), days)


def order_title(case: Case, *, escalate: bool) -> Phrase:
    if escalate:
        return Phrase("District-level supervision on case %(number)s", number=case.number)
    return Phrase("Supervision order on case %(number)s", number=case.number)


def order_message(*, reason: str, respond_by: date, respond_within: int, escalation_reason: str = "") -> Joined:
    """What the department reads: the supervisor's text, why it was escalated, and the answer's
    due date written from the chosen working days (never typed, so the two cannot disagree)."""
    parts = [reason.strip()]
    if escalation_reason.strip():
        parts.append(
            Phrase("Escalated to district-level supervision because: %(reason)s", reason=escalation_reason.strip())
        )
    parts.append(
        Phrase(
            "Answer this order by %(date)s (within %(days)s working days).",
            date=f"{respond_by:%Y-%m-%d}",
            days=respond_within,
        )
    )
    return Joined(parts)


def pending_order(case: Case) -> SupervisionOrder | None:
    """The case's latest order still awaiting the department's answer, if any."""
    return case.supervision_orders.filter(responded_at__isnull=True).order_by("-issued_at", "-pk").first()


def refusal(case: Case, *, escalate: bool) -> str:
    """Why a supervisor cannot issue an order (or, `escalate`, a district-level one) on this case
    now; empty when it can. One order at a time: while one awaits its answer, only an escalation
    (with its reason) may follow it; a case under district-level supervision (挂牌督办) takes no
    plain order, and nothing is above it while its district-level order is open."""
    if case.closed_at is not None or case.department_id is None:
        return _("Only an open case with a responsible department can be supervised.")
    pending = pending_order(case)
    facts = {"number": case.number}
    if pending is not None:
        facts.update(issued=f"{timezone.localtime(pending.issued_at):%Y-%m-%d}", due=f"{pending.respond_by:%Y-%m-%d}")
    if pending is not None and pending.level == SupervisionLevel.ESCALATION:
        return (
            _(
                "Case %(number)s is already under district-level supervision: its order of %(issued)s "
                "awaits the department's answer, due %(due)s. No further order can be issued until it is answered."
            )
            % facts
        )
    if escalate:
        return ""
    if case.supervision_stage >= Stage.ESCALATED:
        return (
            _(
                "Case %(number)s is already under district-level supervision: a plain supervision order "
                "cannot be issued. Escalate, giving the reason, to order the department again."
            )
            % facts
        )
    if pending is not None:
        return (
            _(
                "The supervision order of %(issued)s on case %(number)s awaits the department's answer, due %(due)s. "
                "A second order cannot be issued while it is open: escalate to district-level supervision, "
                "giving the reason, if the case needs more."
            )
            % facts
        )
    return ""


def _respond_within(case: Case, value) -> int:
    if value is None or value == "":
        return default_respond_within(case)
    try:
        days = int(value)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= MAX_RESPOND_WITHIN:
        raise InvalidInput(
            details={
                "respond_within": [
                    _("Give between 1 and %(most)s working days to answer.") % {"most": MAX_RESPOND_WITHIN}
                ]
            }
        )
    return days


def _raise_to_district(case: Case, deadline: Deadline | None) -> None:
    """An escalation by hand puts the step it is about at district level, as the sweep would:
    the case shows 挂牌督办 and the sweep does not escalate it a second time."""
    if deadline is None or deadline.stage >= Stage.ESCALATED:
        return
    deadline.stage = Stage.ESCALATED
    deadline.next_action_at = deadlines.next_action_at(deadline, case.kind)
    deadline.save(update_fields=["stage", "next_action_at"])
    refresh_case_deadlines(case)


@transaction.atomic
def issue_supervision_order(
    *,
    case_id: int,
    actor,
    reason: str,
    respond_within: int | None = None,
    escalate: bool = False,
    escalation_reason: str = "",
) -> SupervisionOrder:
    """A supervisor's own supervision order (督办单) on an open case, to be answered within
    `respond_within` working days (the policy's when not given). `escalate`: a district-level
    order (挂牌督办), which needs `escalation_reason`."""
    permissions.require(actor, "cases.supervise_all_cases")
    case = scaffold.locked(Case, case_id)
    refused = refusal(case, escalate=escalate)
    if refused:
        raise IllegalTransition(refused)
    reason = (reason or "").strip()
    escalation_reason = (escalation_reason or "").strip() if escalate else ""
    errors = {}
    if not reason:
        errors["reason"] = [_("Say what the department must do.")]
    if escalate and not escalation_reason:
        errors["escalation_reason"] = [_("Say why the case is escalated to district-level supervision.")]
    if errors:
        raise InvalidInput(details=errors)
    days = _respond_within(case, respond_within)
    # The office's deadline the order is about: never a party's own time (the complainant's window).
    deadline = case.deadlines.filter(closed_at__isnull=True, supervised=True).order_by("due_at").first()
    order = SupervisionOrder.objects.create(
        case=case,
        deadline=deadline,
        department=case.department,
        level=SupervisionLevel.ESCALATION if escalate else SupervisionLevel.ORDER,
        reason=reason,
        escalation_reason=escalation_reason,
        issued_by=actor,
        respond_by=respond_by_after(days),
    )
    if escalate:
        _raise_to_district(case, deadline)
    transitions.after_event(order.case, events.supervision_issued_event(order=order, actor=actor))
    notification_services.notify(
        department_recipients(case.department_id, case.assignee_id),
        kind="supervision.issued",
        title=order_title(case, escalate=escalate),
        body=order_message(
            reason=reason, respond_by=order.respond_by, respond_within=days, escalation_reason=escalation_reason
        ),
        case=case,
        payload={"order": order.pk, "url": reverse("supervision-order", args=[order.pk])},
    )
    return order


@transaction.atomic
def respond_to_supervision_order(*, order_id: int, actor, response: str) -> SupervisionOrder:
    """The department's required answer to a supervision order. Once only."""
    order = scaffold.locked(SupervisionOrder, order_id, related=("case",))
    scaffold.require_department(order, actor)
    if order.is_answered:
        raise IllegalTransition(_("This supervision order has already been answered."))
    response = (response or "").strip()
    if not response:
        raise InvalidInput(details={"response": [_("Write the department's response.")]})
    order.response = response
    order.responded_by = actor
    order.responded_at = timezone.now()
    order.save(update_fields=["response", "responded_by", "responded_at"])
    transitions.after_event(order.case, events.supervision_answered_event(order=order, actor=actor))
    supervisors = User.objects.filter(groups__name=Role.SUPERVISOR, is_active=True).values_list("pk", flat=True)
    notification_services.notify(
        [order.issued_by_id, *supervisors],
        kind="supervision.answered",
        title=Phrase(
            "%(department)s answered the supervision order on case %(number)s",
            department=named(order.department),
            number=order.case.number,
        ),
        body=response,
        case=order.case,
        payload={"order": order.pk, "url": reverse("supervision-order", args=[order.pk])},
    )
    return order
