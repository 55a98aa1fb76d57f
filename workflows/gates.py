"""Where a case waits, read off its state: the conditions of the flows' gateways.

A gateway after each human task sends the process to the task the case's new state calls for,
so the flow and the state machine cannot disagree about what happens next.
"""

from cases.core import policies
from cases.core.states import ComplaintStatus, RepairStatus


def case_of(activation):
    return activation.process.case


def repair_state_in(*states):
    return lambda activation: case_of(activation).state in states


def complaint_state_in(*states):
    return lambda activation: case_of(activation).state in states


def decision_proposed(activation) -> bool:
    case = case_of(activation)
    return case.state == RepairStatus.UNDER_REVIEW and case.repair.proposed_approval is not None


def needs_supervisor_review(activation) -> bool:
    """Reopened more often than the policy allows: the supervisors review it."""
    case = case_of(activation)
    return case.state == ComplaintStatus.REOPENED and case.complaint.reopen_count > policies.count(
        "complaint", "reopen_limit"
    )


def applicant_of(activation):
    return case_of(activation).applicant


def complainant_of(activation):
    case = case_of(activation)
    return case.complaint.complainant or case.applicant
