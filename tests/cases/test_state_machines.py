"""Every state machine tried in every state with every transition, against one table per machine.

The tables are the specification, written from the office's state lists (docs/domain.md, "Credit
repair" and "Complaints"): for each state, the transitions allowed from it and the state each one
leads to. Every pair not in a table must be refused. Where the code deliberately differs from the
office's reference the table follows the code, and a comment says so (docs/domain.md,
"Differences from the office's reference").
"""

from types import SimpleNamespace

import pytest
from django.utils import translation
from viewflow.fsm import NoTransition

from cases.core import states
from cases.core.states import (
    CaseMachine,
    ComplaintMachine,
    ComplaintStatus,
    ObjectionMachine,
    ObjectionStatus,
    RepairMachine,
    RepairStatus,
)

# Credit repair. Every open state ends as terminated when its record's display ends by itself;
# an uncorrected application lapses.
_END = {"withdraw": "withdrawn", "terminate": "terminated"}
REPAIR = {
    "draft": {"submit": "submitted", **_END},
    "submitted": {
        "accept": "accepted",
        "request_materials": "incomplete",
        "refuse": "not_accepted",
        **_END,
    },
    "incomplete": {"resubmit": "resubmitted", "lapse": "lapsed", **_END},
    # ONE one-time notice only: no request_materials from here.
    "resubmitted": {"accept": "accepted", "refuse": "not_accepted", **_END},
    "not_accepted": {},
    "accepted": {"start_review": "under_review", **_END},
    "under_review": {"approve": "approved", "reject": "rejected", **_END},
    # Decided: the applicant can no longer withdraw (REPAIR_OPEN ends at under_review).
    "approved": {"repair_record": "record_repaired"},
    "rejected": {},
    "record_repaired": {"mark_synced": "synced", "revoke": "revoked"},
    # The code also revokes a repair already pushed to the national site.
    "synced": {"revoke": "revoked"},
    "withdrawn": {},
    "revoked": {},
    "lapsed": {},
    "terminated": {},
}

# Complaints, as in the reference (docs/domain.md, "Complaints"). The complainant may withdraw
# (撤回) from every open state but a breach being recorded.
COMPLAINT = {
    # The code rejects (or merges a duplicate) at registration, before `registered` too.
    "received": {"register": "registered", "reject": "rejected", "withdraw": "withdrawn"},
    "registered": {"assign": "assigned", "reject": "rejected", "withdraw": "withdrawn"},
    "rejected": {},
    # Before work starts the department returns a misrouted complaint itself; after, it asks (退单).
    "assigned": {"start_work": "in_progress", "return_misrouted": "returned", "withdraw": "withdrawn"},
    "returned": {"reregister": "registered", "withdraw": "withdrawn"},
    "in_progress": {"request_extension": "extension_requested", "answer": "answered",
                    "order_rectification": "rectifying", "request_return": "return_requested", "withdraw": "withdrawn"},
    "return_requested": {"approve_return": "returned", "refuse_return": "in_progress", "withdraw": "withdrawn"},
    # Approved or refused, the extension request goes back to in_progress.
    "extension_requested": {"decide_extension": "in_progress", "withdraw": "withdrawn"},
    "answered": {"confirm": "confirmed", "reopen": "reopened", "withdraw": "withdrawn"},
    "rectifying": {"report_rectification": "rectification_reported", "report_refusal": "refused",
                   "confirm_breach": "breach_confirmed", "withdraw": "withdrawn"},
    "rectification_reported": {"verify_rectification": "rectified", "reject_rectification": "rectifying",
                               "withdraw": "withdrawn"},
    "refused": {"confirm_breach": "breach_confirmed", "withdraw": "withdrawn"},
    "rectified": {"confirm": "confirmed", "reopen": "reopened", "withdraw": "withdrawn"},
    "breach_confirmed": {"close": "closed"},
    # Past the reopening limit the supervisor reviews and closes (close_after_review).
    "reopened": {"resume": "in_progress", "close": "closed", "withdraw": "withdrawn"},
    "confirmed": {"close": "closed"},
    "closed": {},
    "withdrawn": {},
}  # fmt: skip

# Credit information objections (cases/repair/objections.py): checked, then one of three outcomes.
OBJECTION = {
    "submitted": {"start_check": "under_check"},
    "under_check": {"correct": "corrected", "confirm": "confirmed", "withdraw_record": "withdrawn_record"},
    "corrected": {},
    "confirmed": {},
    "withdrawn_record": {},
}

MACHINES = {
    RepairMachine: (RepairStatus, REPAIR),
    ComplaintMachine: (ComplaintStatus, COMPLAINT),
    ObjectionMachine: (ObjectionStatus, OBJECTION),
}


def transitions_in_code(machine) -> set[str]:
    return {method.slug for method in machine.state.get_transitions()}


def transitions_in_table(table) -> set[str]:
    return {name for allowed in table.values() for name in allowed}


def every_pair() -> list:
    """(machine, state, transition) for every state in the code or the table, times every
    transition in the code or the table: a state or transition missing from either side is
    still tried."""
    return [
        pytest.param(machine, state, name, id=f"{machine.__name__}-{state}-{name}")
        for machine, (statuses, table) in MACHINES.items()
        for state in dict.fromkeys([*statuses.values, *table])
        for name in sorted(transitions_in_code(machine) | transitions_in_table(table))
    ]


def test_every_machine_in_the_code_has_a_table():
    machines = {cls for cls in vars(states).values() if isinstance(cls, type) and issubclass(cls, CaseMachine)}
    assert machines - {CaseMachine} == set(MACHINES)


@pytest.mark.parametrize("machine", MACHINES, ids=lambda machine: machine.__name__)
def test_the_table_names_every_state_and_transition_of_the_code(machine):
    statuses, table = MACHINES[machine]
    assert set(table) == set(statuses.values)
    assert transitions_in_table(table) == transitions_in_code(machine)
    assert all(target in statuses.values for allowed in table.values() for target in allowed.values())


@pytest.mark.parametrize(("machine", "state", "name"), every_pair())
def test_a_transition_is_allowed_exactly_where_the_table_says(machine, state, name):
    _statuses, table = MACHINES[machine]
    case = SimpleNamespace(state=state)
    transition = getattr(machine(case), name, None)
    assert transition is not None, f"{name} is not a transition of {machine.__name__}"
    allowed = table.get(state, {})
    assert transition.can_proceed() == (name in allowed)
    if name in allowed:
        transition()
        assert case.state == allowed[name]
    else:
        with pytest.raises(NoTransition):
            transition()
        assert case.state == state


# --- the state as the reader sees it (states.state_label) ---------------------------------------


def test_a_repair_state_is_labelled_from_the_repair_states():
    with translation.override("en"):
        assert states.state_label("repair", "incomplete") == "Materials to complete (one-time notice)"


def test_a_complaint_state_is_labelled_from_the_complaint_states():
    with translation.override("en"):
        assert states.state_label("complaint", "received") == "Complaint received"
        # "rejected" is a state of both kinds, with a label of its own in each.
        assert states.state_label("complaint", "rejected") == "Rejected (out of scope)"


def test_an_objection_state_is_labelled_from_the_objection_states():
    with translation.override("en"):
        assert states.state_label("objection", "under_check") == "Being checked"


def test_a_state_label_is_in_the_readers_language():
    with translation.override("zh-hans"):
        assert states.state_label("complaint", "received") != "Complaint received"


def test_a_state_the_kind_does_not_have_is_shown_as_it_is():
    assert states.state_label("repair", "received") == "received"
    assert states.state_label("complaint", "record_repaired") == "record_repaired"
