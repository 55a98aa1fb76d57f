"""The one statement of each rule: every transition of the two machines declares the event it
writes and the workflow task it completes, each machine where a case waits; the flows' gateways
and the engine's maps are read off those declarations. These tests hold the declarations to
what the processes need: one task for each state a person acts in, one task for each step."""

import pytest

from cases.core import states
from cases.core.event_types import EventType
from workflows import engine
from workflows.flows import FLOWS

# The kinds worked through a workflow process. An objection (cases/repair/objections.py) is a
# service-only case: its one step of work (the check) is watched by its deadline and shown in the
# department's objection queue, so it has no flow, no waits and no task-completing steps.
KINDS = list(FLOWS)
SERVICE_ONLY_KINDS = [kind for kind in states.MACHINES if kind not in FLOWS]

# The maps the engine kept by hand before they were derived: what each step does to a task.
HAND_WRITTEN_COMPLETES = {
    "repair.submit": {"fill_in"},
    "repair.accept": {"acceptance"},
    "repair.refuse": {"acceptance"},
    "repair.request_materials": {"acceptance"},
    "repair.resubmit": {"correction"},
    "repair.decision_proposed": {"review"},
    "repair.approve": {"approval"},
    "repair.reject": {"approval"},
    "repair.sent_back": {"approval"},
    "repair.mark_synced": {"sync"},
    "complaint.register": {"registration"},
    "complaint.reject": {"registration", "routing"},
    "complaint.assign": {"routing"},
    "complaint.return_misrouted": {"handling"},
    "complaint.request_extension": {"handling"},
    "complaint.decide_extension": {"extension_decision"},
    "complaint.answer": {"handling"},
    "complaint.confirm": {"confirmation"},
    "complaint.reopen": {"confirmation"},
    "complaint.close": {"review"},
    "complaint.request_return": {"handling"},
    "complaint.approve_return": {"return_decision"},
    "complaint.refuse_return": {"return_decision"},
    "complaint.order_rectification": {"handling"},
    "complaint.report_rectification": {"rectification"},
    "complaint.verify_rectification": {"verification"},
    "complaint.reject_rectification": {"verification"},
    "complaint.report_refusal": {"rectification"},
    "complaint.confirm_breach": {"rectification", "verification"},
}
HAND_WRITTEN_STARTS = {"repair.start_review": {"review"}, "complaint.start_work": {"handling"}}
HAND_WRITTEN_CANCELS = {"repair.withdraw", "repair.lapse", "repair.terminate", "complaint.withdraw"}


def flow_tasks(kind) -> set[str]:
    """The tasks of the kind's flow: people's (View) and the system's (Handle)."""
    return {node.name for node in FLOWS[kind].instance.nodes() if node.task_type in ("HUMAN", "FUNCTION")}


def unguarded_tasks_in(kind, state) -> list[str]:
    return [wait.task for wait in states.WAITS[kind] if state in wait.states and not wait.guard]


def tasks_in(kind, state) -> set[str]:
    return {wait.task for wait in states.WAITS[kind] if state in wait.states}


def person_steps(kind):
    """The steps that finish or begin a task: those a person (or the system, for sync) waits to take."""
    return [step for step in states.steps(kind).values() if step.completes or step.begins]


STATUSES = {"repair": states.RepairStatus, "complaint": states.ComplaintStatus}
# Open states no one waits in: the service that reaches one moves on in the same transaction
# (a confirmed complaint is closed by the confirmation itself, a confirmed breach by its confirmation).
PASSED_THROUGH = {"repair": set(), "complaint": {"confirmed", "breach_confirmed"}}


def test_every_machine_is_followed_by_a_flow_or_is_service_only():
    assert set(KINDS) | set(SERVICE_ONLY_KINDS) == set(states.MACHINES)
    assert SERVICE_ONLY_KINDS == ["objection"]


@pytest.mark.parametrize("kind", SERVICE_ONLY_KINDS)
def test_a_service_only_kind_declares_nothing_for_a_workflow(kind):
    """No task to wait on, complete, begin or cancel: the engine leaves such a case alone."""
    assert states.WAITS[kind] == ()
    assert not any(step.completes or step.begins or step.cancels for step in states.steps(kind).values())


@pytest.mark.parametrize("kind", KINDS)
def test_every_state_waiting_on_a_person_has_exactly_one_task(kind):
    for state in STATUSES[kind].values:
        tasks = unguarded_tasks_in(kind, state)
        if state in states.CLOSED[kind] or state in PASSED_THROUGH[kind]:
            assert tasks == [], f"{kind} {state}: nothing should wait here, yet {tasks} do"
        else:
            assert len(tasks) == 1, f"{kind} {state}: waits on {tasks}, not exactly one task"


@pytest.mark.parametrize("kind", KINDS)
def test_every_task_of_the_flow_is_declared_once_and_nothing_else_is(kind):
    declared = [wait.task for wait in states.WAITS[kind]]
    assert set(declared) == flow_tasks(kind)
    assert len(declared) == len(set(declared)), f"{kind}: a task is declared twice: {declared}"


@pytest.mark.parametrize("kind", KINDS)
def test_every_task_is_finished_by_a_declared_step(kind):
    finished = {task for step in states.steps(kind).values() for task in step.completes}
    assert finished == flow_tasks(kind)
    begun = {step.begins for step in states.steps(kind).values() if step.begins}
    assert begun <= flow_tasks(kind)


@pytest.mark.parametrize("kind", KINDS)
def test_every_step_finishes_exactly_the_one_task_its_state_waits_on(kind):
    for step in person_steps(kind):
        for source in step.sources:
            waiting = tasks_in(kind, source)
            if not waiting:
                continue  # e.g. close after confirm: the confirmation task was done by confirm
            named = (step.completes | {step.begins}) & waiting
            assert len(named) == 1, f"{kind} {step.name} from {source}: {named} of {waiting}"


def test_every_step_writes_an_event_of_its_own():
    events = [step.event for step in states.all_steps()]
    assert len(events) == len(set(events))
    assert all(isinstance(event, EventType) for event in events)


def test_the_engine_derives_what_it_kept_by_hand():
    assert {str(event): set(tasks) for event, tasks in engine.COMPLETES.items()} == HAND_WRITTEN_COMPLETES
    assert {str(event): tasks for event, tasks in engine.STARTS.items()} == HAND_WRITTEN_STARTS
    assert {str(event) for event in engine.CANCELS} == HAND_WRITTEN_CANCELS


@pytest.mark.parametrize(
    ("kind", "task", "after"),
    [
        ("repair", "fill_in", {"acceptance"}),
        ("repair", "acceptance", {"correction", "review"}),
        ("repair", "correction", {"acceptance"}),
        ("repair", "review", {"approval"}),
        ("repair", "approval", {"sync", "review"}),
        ("repair", "sync", set()),
        ("complaint", "registration", {"routing"}),
        ("complaint", "routing", {"handling"}),
        (
            "complaint",
            "handling",
            {"confirmation", "extension_decision", "routing", "rectification", "return_decision"},
        ),
        ("complaint", "rectification", {"verification"}),
        ("complaint", "verification", {"confirmation", "rectification"}),
        ("complaint", "return_decision", {"routing", "handling"}),
        ("complaint", "extension_decision", {"handling"}),
        ("complaint", "confirmation", {"review", "handling"}),
        ("complaint", "review", set()),
    ],
)
def test_the_gateway_after_each_task_leads_where_its_steps_leave_the_case(kind, task, after):
    gateway = getattr(FLOWS[kind].instance, f"after_{task}")
    targets = {node.name for node, condition in gateway._branches if condition is not None}
    assert targets == after
    assert [node.name for node, condition in gateway._branches if condition is None] == ["end"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_guarded_wait_comes_before_the_plain_wait_of_its_state(kind):
    """The gateways take the first wait that holds: a guard listed after its state's plain wait
    would never be reached."""
    waits = states.WAITS[kind]
    for position, wait in enumerate(waits):
        if wait.guard:
            earlier = {state for other in waits[:position] if not other.guard for state in other.states}
            assert not earlier & set(wait.states), f"{kind}: {wait.task} comes after a plain wait of its state"


# Which tasks a case may wait on once a task is done: the flows' gateways are built from this.
NEXT_TASKS = {
    ("repair", "acceptance"): {"correction", "review"},
    ("repair", "approval"): {"sync", "review"},
    ("repair", "correction"): {"acceptance"},
    ("repair", "fill_in"): {"acceptance"},
    ("repair", "review"): {"approval"},
    ("repair", "sync"): set(),
    ("complaint", "confirmation"): {"handling", "review"},
    ("complaint", "extension_decision"): {"handling"},
    ("complaint", "handling"): {"confirmation", "extension_decision", "routing", "rectification", "return_decision"},
    ("complaint", "rectification"): {"verification"},
    ("complaint", "verification"): {"confirmation", "rectification"},
    ("complaint", "return_decision"): {"routing", "handling"},
    ("complaint", "registration"): {"routing"},
    ("complaint", "review"): set(),
    ("complaint", "routing"): {"handling"},
}


@pytest.mark.parametrize(("kind", "task"), sorted(NEXT_TASKS))
def test_the_tasks_a_case_may_wait_on_after_each_task(kind, task):
    assert states.next_tasks(kind, task) == NEXT_TASKS[(kind, task)]


def test_a_declaration_names_its_event_and_what_it_does_to_the_workflow():
    declared = states.records(
        EventType.REPAIR_SUBMIT, completes=["fill_in", "correction"], begins="review", cancels=True
    )
    assert declared == {
        "event": EventType.REPAIR_SUBMIT,
        "completes": frozenset({"fill_in", "correction"}),
        "begins": "review",
        "cancels": True,
    }


def test_a_declaration_by_default_completes_begins_and_cancels_nothing():
    assert states.records(EventType.REPAIR_ACCEPT) == {
        "event": EventType.REPAIR_ACCEPT,
        "completes": frozenset(),
        "begins": "",
        "cancels": False,
    }
