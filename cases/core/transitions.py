"""Taking a step on a case, for every service of the case apps: `transition` takes a declared
transition of the case's machine (cases.core.states), `record` a step that is not one (a claim, a
deadline, a payment); both write the event through the audit writer and then run `after_event`.

The audit writer (cases.core.events) only writes. What a step sets off beyond the trail goes
through this module's one hook, called explicitly here and nowhere else:
- the process layer (workflows.engine) completes, begins or cancels the case's task. It sits above
  the case apps, which must not import it, so it registers itself once at start-up (`follow`);
- the boards (notifications' board push) refresh once after the transaction commits.
Both run in the caller's transaction, on the locked case: a step and its task commit or fail together.
"""

from collections.abc import Callable, Iterable

from django.utils import timezone

from cases.core import events, states
from cases.core.event_types import EventType
from cases.core.models import AuditEvent, Case
from notifications import services as notification_services

# (on_event, on_opened) of the process layer: workflows' AppConfig.ready registers them.
_followers: list[tuple[Callable, Callable]] = []


def follow(*, on_event: Callable, on_opened: Callable) -> None:
    """Register what follows each step on a case (`on_event(case=, event=)`) and cases opened
    together (`on_opened(cases=)`). Registering twice (a second ready()) changes nothing."""
    if (on_event, on_opened) not in _followers:
        _followers.append((on_event, on_opened))


def after_event(case: Case, event: AuditEvent) -> AuditEvent:
    """The hook after a step is recorded on a case: its process follows, the boards refresh."""
    for on_event, _on_opened in _followers:
        on_event(case=case, event=event)
    notification_services.board_changed([case.department_id])
    return event


def after_cases_opened(cases: list[Case], department_ids: Iterable[int]) -> None:
    """The hook after cases opened together (complaints.building) have their events written:
    their processes start at once, the boards refresh once."""
    for _on_event, on_opened in _followers:
        on_opened(cases=cases)
    notification_services.board_changed(department_ids)


def record(case: Case, event_type: EventType, *, actor=None, **fields) -> AuditEvent:
    """Record a step on a case that is not a transition of its machine, then run the hook."""
    return after_event(case, events.record(subject=case, event_type=event_type, actor=actor, **fields))


def transition(case: Case, declared, actor, **payload) -> AuditEvent:
    """Take a declared transition on a locked case: the machine's step (TransitionNotAllowed → 409
    where the state forbids it), the case saved (a case reaching a closed state leaves the queues
    and the boards), the declared event written with the states before and after, the hook run.

    `declared`: the machine's transition (RepairMachine.submit) or a states.Step."""
    step = states.step_of(case.kind, declared)
    before = case.state
    getattr(states.MACHINES[case.kind](case), step.name)()
    if case.state in states.CLOSED[case.kind] and case.closed_at is None:
        case.closed_at = timezone.now()
    case.save(update_fields=["state", "department", "closed_at"])
    return record(case, step.event, actor=actor, from_state=before, to_state=case.state, **payload)
