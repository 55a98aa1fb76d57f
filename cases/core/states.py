"""The state machines of the two kinds of case (viewflow.fsm): legal transitions only.

A machine wraps a Case; services call its transition methods, which refuse what docs/domain.md
("Credit repair", "Complaints") does not allow (viewflow.fsm raises TransitionNotAllowed, shown to
users as 409).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from viewflow import fsm


class CaseMachine:
    """A state machine over a Case's `state` column; subclasses declare the transitions."""

    def __init__(self, case):
        self.case = case

    @staticmethod
    def state_on_case(states, default) -> fsm.State:
        state = fsm.State(states, default=default)
        state.getter()(lambda machine: machine.case.state)
        state.setter()(lambda machine, value: setattr(machine.case, "state", value))
        return state


class RepairStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    INCOMPLETE = "incomplete", _("Materials to complete (one-time notice)")
    RESUBMITTED = "resubmitted", _("Resubmitted")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    ACCEPTED = "accepted", _("Accepted")
    UNDER_REVIEW = "under_review", _("Under review")
    APPROVED = "approved", _("Repair approved")
    REJECTED = "rejected", _("Repair refused")
    RECORD_REPAIRED = "record_repaired", _("Record repaired")
    SYNCED = "synced", _("Synced to the national site")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REVOKED = "revoked", _("Repair revoked")


REPAIR_OPEN = [
    RepairStatus.DRAFT,
    RepairStatus.SUBMITTED,
    RepairStatus.INCOMPLETE,
    RepairStatus.RESUBMITTED,
    RepairStatus.ACCEPTED,
    RepairStatus.UNDER_REVIEW,
]
REPAIR_CLOSED = {RepairStatus.NOT_ACCEPTED, RepairStatus.REJECTED, RepairStatus.WITHDRAWN, RepairStatus.REVOKED,
                 RepairStatus.SYNCED}  # fmt: skip


class RepairMachine(CaseMachine):
    """The states of docs/domain.md, "Credit repair". A second one-time notice is impossible: `request_materials`
    leaves only from `submitted`, and a resubmitted application can only be accepted or refused."""

    state = CaseMachine.state_on_case(RepairStatus, RepairStatus.DRAFT)

    @state.transition(source=RepairStatus.DRAFT, target=RepairStatus.SUBMITTED)
    def submit(self):
        pass

    @state.transition(source=[RepairStatus.SUBMITTED, RepairStatus.RESUBMITTED], target=RepairStatus.ACCEPTED)
    def accept(self):
        pass

    @state.transition(source=RepairStatus.SUBMITTED, target=RepairStatus.INCOMPLETE)
    def request_materials(self):
        pass

    @state.transition(source=RepairStatus.INCOMPLETE, target=RepairStatus.RESUBMITTED)
    def resubmit(self):
        pass

    @state.transition(source=[RepairStatus.SUBMITTED, RepairStatus.RESUBMITTED], target=RepairStatus.NOT_ACCEPTED)
    def refuse(self):
        pass

    @state.transition(source=RepairStatus.ACCEPTED, target=RepairStatus.UNDER_REVIEW)
    def start_review(self):
        pass

    @state.transition(source=RepairStatus.UNDER_REVIEW, target=RepairStatus.APPROVED)
    def approve(self):
        pass

    @state.transition(source=RepairStatus.UNDER_REVIEW, target=RepairStatus.REJECTED)
    def reject(self):
        pass

    @state.transition(source=RepairStatus.APPROVED, target=RepairStatus.RECORD_REPAIRED)
    def repair_record(self):
        pass

    @state.transition(source=RepairStatus.RECORD_REPAIRED, target=RepairStatus.SYNCED)
    def mark_synced(self):
        pass

    @state.transition(source=REPAIR_OPEN, target=RepairStatus.WITHDRAWN)
    def withdraw(self):
        pass

    @state.transition(source=[RepairStatus.RECORD_REPAIRED, RepairStatus.SYNCED], target=RepairStatus.REVOKED)
    def revoke(self):
        pass


class ComplaintStatus(models.TextChoices):
    """The states of docs/domain.md, "Complaints". The transitions after `received` come with the complaint workflow."""

    RECEIVED = "received", _("Complaint received")
    REGISTERED = "registered", _("Registered")
    REJECTED = "rejected", _("Rejected (out of scope)")
    ASSIGNED = "assigned", _("Assigned to a department")
    RETURNED = "returned", _("Returned as misrouted")
    IN_PROGRESS = "in_progress", _("In progress")
    EXTENSION_REQUESTED = "extension_requested", _("Extension requested")
    ANSWERED = "answered", _("Answered")
    REOPENED = "reopened", _("Reopened")
    CONFIRMED = "confirmed", _("Confirmed by the complainant")
    CLOSED = "closed", _("Closed")


class ComplaintMachine(CaseMachine):
    """The states of docs/domain.md, "Complaints", for a complaint Case."""

    state = CaseMachine.state_on_case(ComplaintStatus, ComplaintStatus.RECEIVED)

    @state.transition(source=ComplaintStatus.RECEIVED, target=ComplaintStatus.REGISTERED)
    def register(self):
        pass

    @state.transition(source=ComplaintStatus.RETURNED, target=ComplaintStatus.REGISTERED)
    def reregister(self):
        pass

    @state.transition(source=[ComplaintStatus.RECEIVED, ComplaintStatus.REGISTERED], target=ComplaintStatus.REJECTED)
    def reject(self):
        pass

    @state.transition(source=ComplaintStatus.REGISTERED, target=ComplaintStatus.ASSIGNED)
    def assign(self):
        pass

    @state.transition(source=ComplaintStatus.ASSIGNED, target=ComplaintStatus.RETURNED)
    def return_misrouted(self):
        pass

    @state.transition(source=ComplaintStatus.ASSIGNED, target=ComplaintStatus.IN_PROGRESS)
    def start_work(self):
        pass

    @state.transition(source=ComplaintStatus.IN_PROGRESS, target=ComplaintStatus.EXTENSION_REQUESTED)
    def request_extension(self):
        pass

    @state.transition(source=ComplaintStatus.EXTENSION_REQUESTED, target=ComplaintStatus.IN_PROGRESS)
    def decide_extension(self):
        pass

    @state.transition(source=ComplaintStatus.IN_PROGRESS, target=ComplaintStatus.ANSWERED)
    def answer(self):
        pass

    @state.transition(source=ComplaintStatus.ANSWERED, target=ComplaintStatus.CONFIRMED)
    def confirm(self):
        pass

    @state.transition(source=ComplaintStatus.ANSWERED, target=ComplaintStatus.REOPENED)
    def reopen(self):
        pass

    @state.transition(source=ComplaintStatus.REOPENED, target=ComplaintStatus.IN_PROGRESS)
    def resume(self):
        pass

    @state.transition(source=[ComplaintStatus.CONFIRMED, ComplaintStatus.REOPENED], target=ComplaintStatus.CLOSED)
    def close(self):
        pass


def state_label(kind: str, state: str) -> str:
    """The state in the reader's language."""
    states = RepairStatus if kind == "repair" else ComplaintStatus
    return states(state).label if state in states.values else state
