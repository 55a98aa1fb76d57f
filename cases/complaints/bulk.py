"""Acting on several complaints of a queue at once: each selected complaint goes through the same
service as one taken alone (its checks, lock, transition and audit event), in a transaction of
its own; the outcome names every complaint done and every one refused, with the reason."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from cases.complaints import common
from cases.complaints import services as complaints
from cases.complaints.models import Complaint
from cases.core import scaffold, selectors, services
from cases.core.exceptions import InvalidInput, NotFound
from cases.core.middleware import as_domain_error
from cases.core.models import Department
from cases.infra.pagination import PAGE_SIZE

# At most a page of the queue at a time.
MOST = PAGE_SIZE


@dataclass
class Outcome:
    done: list[str] = field(default_factory=list)  # case numbers
    refused: list[tuple[str, str]] = field(default_factory=list)  # (case number, reason)

    @property
    def selected(self) -> int:
        return len(self.done) + len(self.refused)


def _selected(actor, case_ids, outcome: Outcome) -> list:
    """The selected complaints of the actor's queue, in the queue's order; a selection the actor
    cannot see is refused as unknown (its number is not shown), and a selection of none the actor
    can see is refused whole."""
    wanted = []
    for value in case_ids:
        text = str(value).strip()
        if text.isdecimal() and len(text) < 12 and int(text) not in wanted:
            wanted.append(int(text))
    if not wanted:
        raise InvalidInput(details={"case": [_("Select at least one complaint.")]})
    if len(wanted) > MOST:
        raise InvalidInput(details={"case": [_("Select at most %(most)d complaints at a time.") % {"most": MOST}]})
    cases = list(selectors.queue_cases(actor, "complaint").filter(pk__in=wanted))
    if not cases:
        raise NotFound(_("None of the selected complaints is yours to act on."))
    for _missing in range(len(wanted) - len(cases)):
        outcome.refused.append(("—", _("No such complaint, or it is not yours to act on.")))
    return cases


def _refused(outcome: Outcome, case, exc: Exception) -> None:
    """A complaint the rules refuse (a domain error, a transition the state machine does not
    allow) is named with the reason; any other error is raised."""
    error = as_domain_error(exc)
    if error is None:
        raise exc
    outcome.refused.append((case.number, str(error.message)))


def claim_selected(*, actor, case_ids) -> Outcome:
    """A department's caseworker takes the selected complaints of their department (认领)."""
    scaffold.require_department_member(actor)
    outcome = Outcome()
    for case in _selected(actor, case_ids, outcome):
        if case.closed_at is not None:
            outcome.refused.append((case.number, _("The complaint is closed.")))
            continue
        try:
            services.claim_case(case_id=case.pk, actor=actor)
        except Exception as exc:  # a refusal of the rules is told; anything else is raised again
            _refused(outcome, case, exc)
        else:
            outcome.done.append(case.number)
    return outcome


def assign_selected(*, actor, case_ids, department_id: int) -> Outcome:
    """The intake clerk routes the selected registered complaints to one department (交办)."""
    common.require_clerk(actor)
    if not Department.objects.filter(pk=department_id, active=True, is_supervising_unit=False).exists():
        raise InvalidInput(details={"department": [_("Choose a department.")]})
    outcome = Outcome()
    cases = _selected(actor, case_ids, outcome)
    complaint_ids = dict(Complaint.objects.filter(case__in=cases).values_list("case_id", "pk"))
    for case in cases:
        try:
            complaints.assign(actor=actor, complaint_id=complaint_ids[case.pk], department_id=department_id)
        except Exception as exc:  # a refusal of the rules is told; anything else is raised again
            _refused(outcome, case, exc)
        else:
            outcome.done.append(case.number)
    return outcome


def hand_selected(*, actor, case_ids, assignee_id: int) -> Outcome:
    """The department head gives the selected complaints of the department to one of its people."""
    scaffold.require_department_member(actor, "cases.approve_department_decisions")
    if not services.department_workers(actor.department_id).filter(pk=assignee_id).exists():
        raise InvalidInput(details={"assignee": [_("Choose a person of the department.")]})
    outcome = Outcome()
    for case in _selected(actor, case_ids, outcome):
        try:
            services.hand_case(case_id=case.pk, actor=actor, assignee_id=assignee_id)
        except Exception as exc:  # a refusal of the rules is told; anything else is raised again
            _refused(outcome, case, exc)
        else:
            outcome.done.append(case.number)
    return outcome
