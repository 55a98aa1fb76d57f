"""The one transition scaffold and the one hook after a step: the audit writer only writes; a
step taken through cases.core.transitions writes its declared event, then tells the process
layer and the boards, once, explicitly."""

import pytest
from django.contrib.contenttypes.models import ContentType
from viewflow.fsm import TransitionNotAllowed

from cases.core import events, transitions
from cases.core.event_types import EventType
from cases.core.models import AuditEvent
from cases.core.states import ComplaintMachine, ComplaintStatus
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def told(monkeypatch):
    """What the hook set off: the process layer's calls and the boards' pushes."""
    calls = {"followed": [], "boards": []}
    monkeypatch.setattr(transitions, "_followers", [(lambda **kw: calls["followed"].append(kw), lambda **kw: None)])
    monkeypatch.setattr(transitions.notification_services, "board_changed", calls["boards"].append)
    return calls


def test_the_audit_writer_writes_and_sets_off_nothing(told):
    case = CaseFactory()
    events.record(subject=case, event_type=EventType.CASE_CLAIMED)
    assert AuditEvent.objects.filter(subject_id=case.pk, event_type="case.claimed").count() == 1
    assert told == {"followed": [], "boards": []}


def test_a_step_recorded_on_a_case_tells_the_process_and_the_boards_once(told):
    case = CaseFactory()
    event = transitions.record(case, EventType.CASE_CLAIMED)
    assert told["followed"] == [{"case": case, "event": event}]
    assert told["boards"] == [[case.department_id]]


def test_a_transition_writes_the_event_its_declaration_names_with_both_states(told):
    case = CaseFactory(state=ComplaintStatus.IN_PROGRESS)
    event = transitions.transition(case, ComplaintMachine.answer, None, finding="substantiated")
    event.refresh_from_db()
    case.refresh_from_db()
    assert (event.event_type, event.from_state, event.to_state) == ("complaint.answer", "in_progress", "answered")
    assert event.payload == {"finding": "substantiated"}
    assert case.state == ComplaintStatus.ANSWERED and case.closed_at is None
    assert len(told["followed"]) == 1


def test_a_transition_into_a_closed_state_closes_the_case(told):
    case = CaseFactory(state=ComplaintStatus.CONFIRMED)
    transitions.transition(case, ComplaintMachine.close, None)
    case.refresh_from_db()
    assert case.state == ComplaintStatus.CLOSED and case.closed_at is not None


def test_a_transition_the_state_forbids_writes_nothing_and_tells_no_one(told):
    case = CaseFactory(state=ComplaintStatus.RECEIVED)
    with pytest.raises(TransitionNotAllowed):
        transitions.transition(case, ComplaintMachine.answer, None)
    assert not AuditEvent.objects.filter(subject_id=case.pk).exists()
    assert told == {"followed": [], "boards": []}


def test_events_written_in_bulk_keep_their_stored_names():
    case = CaseFactory()
    case_type = ContentType.objects.get_for_model(case).pk
    row = {"subject_type_id": case_type, "subject_id": case.pk, "event_type": EventType.DEADLINE_REMINDED}
    events.record_many([row])
    assert list(AuditEvent.objects.filter(subject_id=case.pk).values_list("event_type", flat=True)) == [
        "deadline.reminded"
    ]


def test_every_event_type_keeps_the_string_stored_in_the_trail():
    """The trail and its hash chain hold these values: a member renamed must keep its value."""
    assert all(member.value == member.value.strip() and "." in member.value for member in EventType)
    assert EventType("repair.accept") is EventType.REPAIR_ACCEPT
    assert len(EventType.values) == len(set(EventType.values))
