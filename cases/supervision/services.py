"""Supervision orders (督办单) written by a supervisor, and the department's answer to one."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.core import events, permissions, policies, scaffold, transitions, workdays
from cases.core.exceptions import IllegalTransition, InvalidInput
from cases.core.models import Case, SupervisionLevel, User
from cases.core.roles import Role
from cases.core.services import department_recipients
from cases.supervision.models import SupervisionOrder
from notifications import services as notification_services


@transaction.atomic
def issue_supervision_order(*, case_id: int, actor, reason: str) -> SupervisionOrder:
    """A supervisor's own supervision order (督办单) on an open case."""
    permissions.require(actor, "cases.supervise_all_cases")
    case = scaffold.locked(Case, case_id)
    if case.closed_at is not None or case.department_id is None:
        raise IllegalTransition(_("Only an open case with a responsible department can be supervised."))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(details={"reason": [_("Say what the department must do.")]})
    # The office's deadline the order is about: never a party's own time (the complainant's window).
    deadline = case.deadlines.filter(closed_at__isnull=True, supervised=True).order_by("due_at").first()
    order = SupervisionOrder.objects.create(
        case=case,
        deadline=deadline,
        department=case.department,
        level=SupervisionLevel.ORDER,
        reason=reason,
        issued_by=actor,
        respond_by=workdays.add_working_days(
            timezone.localdate(), policies.working_days(case.kind, "supervision_respond_within")
        ),
    )
    transitions.after_event(order.case, events.supervision_issued_event(order=order, actor=actor))
    notification_services.notify(
        department_recipients(case.department_id, case.assignee_id),
        kind="supervision.issued",
        title=_("Supervision order on case %(number)s") % {"number": case.number},
        body=reason,
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
        title=_("%(department)s answered the supervision order on case %(number)s")
        % {"department": order.department.name, "number": order.case.number},
        body=response,
        case=order.case,
        payload={"order": order.pk, "url": reverse("supervision-order", args=[order.pk])},
    )
    return order
