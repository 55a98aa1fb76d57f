"""Where an applicant's own case stands, as their lists (my applications, my complaints, my credit
records) say it: the case's state in plain words, the step the office is on and the date it owes
the next answer, and — when the next move is the applicant's — what they must do and by when.

The dates are the deadlines' due dates (deadlines.due_date), the same day the case page, the
receipt, the queues and the tracking page give."""

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_lazy as _

from cases.core import deadlines, selectors
from cases.core.event_types import DeadlineStep
from cases.core.models import Case, CaseKind, Deadline
from cases.core.states import RepairStatus

# The party's own time, as the applicant is asked to use it (these deadlines are not supervised).
APPLICANT_STEPS = {
    DeadlineStep.REPAIR_CORRECT: _("Complete the materials named in the one-time notice"),
    DeadlineStep.COMPLAINT_CONFIRM: _("Say whether you are satisfied with the answer"),
}


@dataclass(frozen=True)
class Standing:
    office_step: str = ""  # the step the office is on, in the page's language; "" when it owes nothing
    office_due: date | None = None  # the date the office owes its next answer
    todo: str = ""  # what the applicant must do; "" when nothing is asked of them
    todo_due: date | None = None  # by when


def standing(case: Case, open_deadlines: list[Deadline]) -> Standing:
    """The standing of `case` from its open deadlines (soonest first, as open_deadlines_by_case)."""
    if case.closed_at is not None:
        return Standing()
    running = [deadline for deadline in open_deadlines if not deadline.is_paused]
    office = next((deadline for deadline in running if deadline.supervised), None)
    own = next((deadline for deadline in running if deadline.step in APPLICANT_STEPS), None)
    todo, todo_due = "", None
    if own is not None:
        todo, todo_due = str(APPLICANT_STEPS[own.step]), deadlines.due_date(own)
    elif case.kind == CaseKind.REPAIR and case.state == RepairStatus.DRAFT:
        todo = str(_("Add the materials and submit the application"))
    return Standing(
        office_step=office.step_name if office else "",
        office_due=deadlines.due_date(office) if office else None,
        todo=todo,
        todo_due=todo_due,
    )


def standings(cases) -> dict[int, Standing]:
    """The standing of each of `cases` (a list or a queryset), in one query for their deadlines."""
    cases = list(cases)
    by_case = selectors.open_deadlines_by_case([case.pk for case in cases])
    return {case.pk: standing(case, by_case[case.pk]) for case in cases}


def annotate(cases) -> list[Case]:
    """`cases` as a list, each with its `standing` set, for the applicant's lists."""
    cases = list(cases)
    found = standings(cases)
    for case in cases:
        case.standing = found[case.pk]
    return cases
