"""The state machines of the kinds of case (viewflow.fsm): legal transitions only, and for
each transition the one statement of what it records and what it does to the case's workflow.

A machine wraps a Case; services take its transitions through cases.core.transitions, which
refuses what the office's rules do not allow (viewflow.fsm raises TransitionNotAllowed, shown to
users as 409), writes the declared event and tells the workflow and the boards.

Each transition declares (`records(...)`, kept in viewflow's `custom` slot of the transition):
- the event type it writes to the audit trail;
- the workflow task(s) it completes, begins or cancels (workflows.engine derives its maps from this);
and each machine lists where a case waits (`Wait`: which task is open in which states), from which
workflows.flows derives its switches. tests/workflows/test_declarations.py keeps them consistent.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from django.db import models
from django.utils.translation import gettext_lazy as _
from viewflow import fsm

from cases.core.event_types import EventType as E


@dataclass(frozen=True)
class Step:
    """What one step recorded on a case declares: the event it writes and what it does to the
    workflow task the case waits on. `name` is the machine's transition (or, for a step that
    changes no state, the service's), `sources` the states it leaves, `target` the state it
    reaches (None: the state stays)."""

    name: str
    event: E
    sources: tuple[str, ...]
    target: str | None = None
    completes: frozenset[str] = frozenset()
    begins: str = ""
    cancels: bool = False


@dataclass(frozen=True)
class Wait:
    """A case in one of `states` waits on `task` (a node of its flow); `guard` names a condition
    of workflows.gates that must hold as well (a decision proposed, reopened past the limit).
    Guarded waits come first: the first that holds is the one."""

    task: str
    states: tuple[str, ...]
    guard: str = ""


def records(event: E, *, completes: Iterable[str] = (), begins: str = "", cancels: bool = False) -> dict:
    """What a transition declares beside its states: the event it writes and the workflow task it
    completes (whichever of `completes` is open), begins (a person takes it) or cancels (the whole process)."""
    return {"event": event, "completes": frozenset(completes), "begins": begins, "cancels": cancels}


class CaseMachine:
    """A state machine over a Case's `state` column; subclasses declare the transitions."""

    # Where a case of this kind waits, and the steps recorded without a transition of the machine.
    waits: tuple[Wait, ...] = ()
    steps_without_transition: tuple[Step, ...] = ()

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
    LAPSED = "lapsed", _("Ended: materials not completed within the correction period")
    TERMINATED = "terminated", _("Ended: the record is no longer displayed")


REPAIR_OPEN = [
    RepairStatus.DRAFT,
    RepairStatus.SUBMITTED,
    RepairStatus.INCOMPLETE,
    RepairStatus.RESUBMITTED,
    RepairStatus.ACCEPTED,
    RepairStatus.UNDER_REVIEW,
]
REPAIR_CLOSED = {RepairStatus.NOT_ACCEPTED, RepairStatus.REJECTED, RepairStatus.WITHDRAWN, RepairStatus.REVOKED,
                 RepairStatus.SYNCED, RepairStatus.LAPSED, RepairStatus.TERMINATED}  # fmt: skip
R = RepairStatus


class RepairMachine(CaseMachine):
    """The states of docs/domain.md, "Credit repair". A second one-time notice is impossible: `request_materials`
    leaves only from `submitted`, and a resubmitted application can only be accepted or refused."""

    state = CaseMachine.state_on_case(RepairStatus, RepairStatus.DRAFT)

    waits = (
        Wait("fill_in", (R.DRAFT,)),
        Wait("acceptance", (R.SUBMITTED, R.RESUBMITTED)),
        Wait("correction", (R.INCOMPLETE,)),
        Wait("approval", (R.UNDER_REVIEW,), guard="decision_proposed"),
        Wait("review", (R.ACCEPTED, R.UNDER_REVIEW)),
        # The system's: the national site is told; approved moves on to record_repaired at once.
        Wait("sync", (R.APPROVED, R.RECORD_REPAIRED)),
    )
    # The caseworker's proposal changes no state: the head's approval follows it.
    PROPOSE_DECISION = Step(
        "propose_decision", E.REPAIR_DECISION_PROPOSED, sources=(R.UNDER_REVIEW,), completes=frozenset({"review"})
    )
    # The head sends the proposal back for re-review (发回重审): the case stays under review and
    # waits on the caseworker's review again.
    SEND_BACK = Step("send_back", E.REPAIR_SENT_BACK, sources=(R.UNDER_REVIEW,), completes=frozenset({"approval"}))
    steps_without_transition = (PROPOSE_DECISION, SEND_BACK)

    @state.transition(
        source=R.DRAFT,
        target=R.SUBMITTED,
        custom=records(E.REPAIR_SUBMIT, completes={"fill_in"}),
    )
    def submit(self):
        pass

    @state.transition(
        source=[R.SUBMITTED, R.RESUBMITTED],
        target=R.ACCEPTED,
        custom=records(E.REPAIR_ACCEPT, completes={"acceptance"}),
    )
    def accept(self):
        pass

    @state.transition(
        source=R.SUBMITTED,
        target=R.INCOMPLETE,
        custom=records(E.REPAIR_REQUEST_MATERIALS, completes={"acceptance"}),
    )
    def request_materials(self):
        pass

    @state.transition(
        source=R.INCOMPLETE,
        target=R.RESUBMITTED,
        custom=records(E.REPAIR_RESUBMIT, completes={"correction"}),
    )
    def resubmit(self):
        pass

    @state.transition(
        source=[R.SUBMITTED, R.RESUBMITTED],
        target=R.NOT_ACCEPTED,
        custom=records(E.REPAIR_REFUSE, completes={"acceptance"}),
    )
    def refuse(self):
        pass

    @state.transition(
        source=R.ACCEPTED,
        target=R.UNDER_REVIEW,
        custom=records(E.REPAIR_START_REVIEW, begins="review"),
    )
    def start_review(self):
        pass

    @state.transition(
        source=R.UNDER_REVIEW,
        target=R.APPROVED,
        custom=records(E.REPAIR_APPROVE, completes={"approval"}),
    )
    def approve(self):
        pass

    @state.transition(
        source=R.UNDER_REVIEW,
        target=R.REJECTED,
        custom=records(E.REPAIR_REJECT, completes={"approval"}),
    )
    def reject(self):
        pass

    @state.transition(
        source=R.APPROVED,
        target=R.RECORD_REPAIRED,
        custom=records(E.REPAIR_REPAIR_RECORD),
    )
    def repair_record(self):
        pass

    @state.transition(
        source=R.RECORD_REPAIRED,
        target=R.SYNCED,
        custom=records(E.REPAIR_MARK_SYNCED, completes={"sync"}),
    )
    def mark_synced(self):
        pass

    @state.transition(
        source=REPAIR_OPEN,
        target=R.WITHDRAWN,
        custom=records(E.REPAIR_WITHDRAW, cancels=True),
    )
    def withdraw(self):
        pass

    @state.transition(
        source=R.INCOMPLETE,
        target=R.LAPSED,
        custom=records(E.REPAIR_LAPSE, cancels=True),
    )
    def lapse(self):
        """补正期满未补正，终止办理: the correction period passed without the materials."""

    @state.transition(
        source=REPAIR_OPEN,
        target=R.TERMINATED,
        custom=records(E.REPAIR_TERMINATE, cancels=True),
    )
    def terminate(self):
        """终止办理: the record's display ended by itself while the application was open."""

    @state.transition(
        source=[R.RECORD_REPAIRED, R.SYNCED],
        target=R.REVOKED,
        custom=records(E.REPAIR_REVOKE),
    )
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
    RETURN_REQUESTED = "return_requested", _("Return requested by the department")
    RECTIFYING = "rectifying", _("Rectifying")
    RECTIFICATION_REPORTED = "rectification_reported", _("Rectification reported, to be verified")
    RECTIFIED = "rectified", _("Rectified")
    REFUSED = "refused", _("Refuses to rectify")
    BREACH_CONFIRMED = "breach_confirmed", _("Breach confirmed")
    WITHDRAWN = "withdrawn", _("Withdrawn by the complainant")


C = ComplaintStatus
COMPLAINT_CLOSED = {ComplaintStatus.REJECTED, ComplaintStatus.CLOSED, ComplaintStatus.WITHDRAWN}
# Where the complainant may still withdraw: every open state but a breach being recorded.
COMPLAINT_WITHDRAWABLE = [state for state in ComplaintStatus if state not in COMPLAINT_CLOSED
                          and state not in (ComplaintStatus.CONFIRMED, ComplaintStatus.BREACH_CONFIRMED)]  # fmt: skip


class ComplaintMachine(CaseMachine):
    """The states of docs/domain.md, "Complaints", for a complaint Case."""

    state = CaseMachine.state_on_case(ComplaintStatus, ComplaintStatus.RECEIVED)

    waits = (
        Wait("registration", (C.RECEIVED,)),
        Wait("routing", (C.REGISTERED, C.RETURNED)),
        Wait("extension_decision", (C.EXTENSION_REQUESTED,)),
        Wait("return_decision", (C.RETURN_REQUESTED,)),
        Wait("confirmation", (C.ANSWERED, C.RECTIFIED)),
        Wait("review", (C.REOPENED,), guard="needs_supervisor_review"),
        Wait("handling", (C.ASSIGNED, C.IN_PROGRESS, C.REOPENED)),
        Wait("rectification", (C.RECTIFYING,)),
        Wait("verification", (C.RECTIFICATION_REPORTED, C.REFUSED)),
    )

    @state.transition(
        source=C.RECEIVED,
        target=C.REGISTERED,
        custom=records(E.COMPLAINT_REGISTER, completes={"registration"}),
    )
    def register(self):
        pass

    @state.transition(
        source=C.RETURNED,
        target=C.REGISTERED,
        custom=records(E.COMPLAINT_REREGISTER),
    )
    def reregister(self):
        pass

    @state.transition(
        source=[C.RECEIVED, C.REGISTERED],
        target=C.REJECTED,
        custom=records(E.COMPLAINT_REJECT, completes={"registration", "routing"}),
    )
    def reject(self):
        pass

    @state.transition(
        source=C.REGISTERED,
        target=C.ASSIGNED,
        custom=records(E.COMPLAINT_ASSIGN, completes={"routing"}),
    )
    def assign(self):
        pass

    @state.transition(
        source=C.ASSIGNED,
        target=C.RETURNED,
        custom=records(E.COMPLAINT_RETURN_MISROUTED, completes={"handling"}),
    )
    def return_misrouted(self):
        pass

    @state.transition(
        source=C.ASSIGNED,
        target=C.IN_PROGRESS,
        custom=records(E.COMPLAINT_START_WORK, begins="handling"),
    )
    def start_work(self):
        pass

    @state.transition(
        source=C.IN_PROGRESS,
        target=C.EXTENSION_REQUESTED,
        custom=records(E.COMPLAINT_REQUEST_EXTENSION, completes={"handling"}),
    )
    def request_extension(self):
        pass

    @state.transition(
        source=C.EXTENSION_REQUESTED,
        target=C.IN_PROGRESS,
        custom=records(E.COMPLAINT_DECIDE_EXTENSION, completes={"extension_decision"}),
    )
    def decide_extension(self):
        pass

    @state.transition(
        source=C.IN_PROGRESS,
        target=C.ANSWERED,
        custom=records(E.COMPLAINT_ANSWER, completes={"handling"}),
    )
    def answer(self):
        pass

    @state.transition(
        source=C.IN_PROGRESS,
        target=C.RETURN_REQUESTED,
        custom=records(E.COMPLAINT_REQUEST_RETURN, completes={"handling"}),
    )
    def request_return(self):
        pass

    @state.transition(
        source=C.RETURN_REQUESTED,
        target=C.RETURNED,
        custom=records(E.COMPLAINT_APPROVE_RETURN, completes={"return_decision"}),
    )
    def approve_return(self):
        pass

    @state.transition(
        source=C.RETURN_REQUESTED,
        target=C.IN_PROGRESS,
        custom=records(E.COMPLAINT_REFUSE_RETURN, completes={"return_decision"}),
    )
    def refuse_return(self):
        pass

    @state.transition(
        source=C.IN_PROGRESS,
        target=C.RECTIFYING,
        custom=records(E.COMPLAINT_ORDER_RECTIFICATION, completes={"handling"}),
    )
    def order_rectification(self):
        pass

    @state.transition(
        source=C.RECTIFYING,
        target=C.RECTIFICATION_REPORTED,
        custom=records(E.COMPLAINT_REPORT_RECTIFICATION, completes={"rectification"}),
    )
    def report_rectification(self):
        pass

    @state.transition(
        source=C.RECTIFICATION_REPORTED,
        target=C.RECTIFIED,
        custom=records(E.COMPLAINT_VERIFY_RECTIFICATION, completes={"verification"}),
    )
    def verify_rectification(self):
        pass

    @state.transition(
        source=C.RECTIFICATION_REPORTED,
        target=C.RECTIFYING,
        custom=records(E.COMPLAINT_REJECT_RECTIFICATION, completes={"verification"}),
    )
    def reject_rectification(self):
        pass

    @state.transition(
        source=C.RECTIFYING,
        target=C.REFUSED,
        custom=records(E.COMPLAINT_REPORT_REFUSAL, completes={"rectification"}),
    )
    def report_refusal(self):
        pass

    @state.transition(
        source=[C.RECTIFYING, C.REFUSED],
        target=C.BREACH_CONFIRMED,
        custom=records(E.COMPLAINT_CONFIRM_BREACH, completes={"rectification", "verification"}),
    )
    def confirm_breach(self):
        pass

    @state.transition(
        source=COMPLAINT_WITHDRAWABLE,
        target=C.WITHDRAWN,
        custom=records(E.COMPLAINT_WITHDRAW, cancels=True),
    )
    def withdraw(self):
        pass

    @state.transition(
        source=[C.ANSWERED, C.RECTIFIED],
        target=C.CONFIRMED,
        custom=records(E.COMPLAINT_CONFIRM, completes={"confirmation"}),
    )
    def confirm(self):
        pass

    @state.transition(
        source=[C.ANSWERED, C.RECTIFIED],
        target=C.REOPENED,
        custom=records(E.COMPLAINT_REOPEN, completes={"confirmation"}),
    )
    def reopen(self):
        pass

    @state.transition(
        source=C.REOPENED,
        target=C.IN_PROGRESS,
        custom=records(E.COMPLAINT_RESUME),
    )
    def resume(self):
        pass

    @state.transition(
        source=[C.CONFIRMED, C.REOPENED, C.BREACH_CONFIRMED],
        target=C.CLOSED,
        custom=records(E.COMPLAINT_CLOSE, completes={"review"}),
    )
    def close(self):
        pass


class ObjectionStatus(models.TextChoices):
    """The states of a credit information objection (信用信息异议, cases/repair/objections.py)."""

    SUBMITTED = "submitted", _("Objection raised")
    UNDER_CHECK = "under_check", _("Being checked")
    CORRECTED = "corrected", _("Record corrected")
    CONFIRMED = "confirmed", _("Record confirmed")
    WITHDRAWN_RECORD = "withdrawn_record", _("Publication withdrawn")


OB = ObjectionStatus
OBJECTION_CLOSED = {ObjectionStatus.CORRECTED, ObjectionStatus.CONFIRMED, ObjectionStatus.WITHDRAWN_RECORD}


class ObjectionMachine(CaseMachine):
    """An objection is its own case, worked by the record's department without a workflow process
    (no flow in workflows.flows: it waits on no task, so it declares no waits): its deadline,
    supervision and queue are the case's own."""

    state = CaseMachine.state_on_case(ObjectionStatus, ObjectionStatus.SUBMITTED)

    @state.transition(source=OB.SUBMITTED, target=OB.UNDER_CHECK, custom=records(E.OBJECTION_START_CHECK))
    def start_check(self):
        pass

    @state.transition(source=OB.UNDER_CHECK, target=OB.CORRECTED, custom=records(E.OBJECTION_CORRECT))
    def correct(self):
        pass

    @state.transition(source=OB.UNDER_CHECK, target=OB.CONFIRMED, custom=records(E.OBJECTION_CONFIRM))
    def confirm(self):
        pass

    @state.transition(source=OB.UNDER_CHECK, target=OB.WITHDRAWN_RECORD, custom=records(E.OBJECTION_WITHDRAW_RECORD))
    def withdraw_record(self):
        pass


@cache
def machine_steps(machine: type) -> dict[str, Step]:
    """The steps a machine's transitions declare, by transition name, plus its steps without a transition."""
    found = {}
    for method, transitions in machine.state.get_transitions().items():
        transitions = list(transitions)
        declared = transitions[0].custom
        found[method.slug] = Step(
            name=method.slug,
            event=declared["event"],
            sources=tuple(str(t.source) for t in transitions),
            target=str(transitions[0].target),
            completes=declared["completes"],
            begins=declared["begins"],
            cancels=declared["cancels"],
        )
    for step in machine.steps_without_transition:
        found[step.name] = step
    return found


MACHINES: dict[str, type] = {"repair": RepairMachine, "complaint": ComplaintMachine, "objection": ObjectionMachine}
WAITS: dict[str, tuple[Wait, ...]] = {kind: machine.waits for kind, machine in MACHINES.items()}
CLOSED: dict[str, frozenset[str]] = {
    "repair": frozenset(REPAIR_CLOSED),
    "complaint": frozenset(COMPLAINT_CLOSED),
    "objection": frozenset(OBJECTION_CLOSED),
}
STATUSES: dict[str, type] = {"repair": RepairStatus, "complaint": ComplaintStatus, "objection": ObjectionStatus}


def steps(kind: str) -> dict[str, Step]:
    return machine_steps(MACHINES[kind])


def all_steps() -> Iterable[Step]:
    for kind in MACHINES:
        yield from steps(kind).values()


def step_of(kind: str, transition) -> Step:
    """The declaration of a transition given as the machine's method (RepairMachine.submit) or a Step."""
    if isinstance(transition, Step):
        return transition
    return steps(kind)[transition.slug]


def next_tasks(kind: str, task: str) -> set[str]:
    """The tasks a case may wait on once `task` is done: those waiting in the states the steps
    completing it lead to (a step that changes no state leaves the case where it was)."""
    reached = set()
    for step in steps(kind).values():
        if task in step.completes:
            reached.update((step.target,) if step.target else step.sources)
    return {wait.task for wait in WAITS[kind] if reached & set(wait.states)} - {task}


def state_label(kind: str, state: str) -> str:
    """The state in the reader's language."""
    states = STATUSES.get(kind, ComplaintStatus)
    return states(state).label if state in states.values else state
