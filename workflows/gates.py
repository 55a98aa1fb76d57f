"""Where a case waits, read off its state: the conditions of the flows' gateways.

A gateway after each human task sends the process to the task the case's new state calls for,
so the flow and the state machine cannot disagree about what happens next.
"""

from cases.core import policies
from cases.core.states import ComplaintStatus, RepairStatus, Wait


def case_of(activation):
    return activation.process.case


def waiting(wait: Wait):
    """The gate of one declared wait (cases.core.states.Wait): the case is in one of its states,
    and its guard, if it names one, holds."""
    guard = GUARDS[wait.guard] if wait.guard else None

    def gate(activation) -> bool:
        return case_of(activation).state in wait.states and (guard is None or guard(activation))

    gate.__name__ = f"waits_on_{wait.task}"
    return gate


def decision_proposed(activation) -> bool:
    case = case_of(activation)
    return case.state == RepairStatus.UNDER_REVIEW and case.repair.proposed_approval is not None


def needs_supervisor_review(activation) -> bool:
    """Reopened more often than the policy allows: the supervisors review it."""
    case = case_of(activation)
    return case.state == ComplaintStatus.REOPENED and case.complaint.reopen_count > policies.count(
        "complaint", "reopen_limit"
    )


# The guards a Wait may name.
GUARDS = {"decision_proposed": decision_proposed, "needs_supervisor_review": needs_supervisor_review}


def applicant_of(activation):
    return case_of(activation).applicant


def complainant_of(activation):
    case = case_of(activation)
    return case.complaint.complainant or case.applicant
