"""Deadlines the sweep owes every stage at once: shared by the sweep's fault and bulk tests."""

from datetime import date, datetime
from datetime import time as clock

from django.utils import timezone

from cases.core import services
from cases.core.models import Case, Deadline
from cases.core.roles import Role
from tests.factories import CaseFactory, StaffFactory

SWEEP_AT = timezone.make_aware(datetime.combine(date(2025, 10, 30), clock(9)))  # 5 working days past due


def overdue_deadlines(count: int) -> None:
    """`count` cases whose step was due on 23 Oct 2025: on 30 Oct the sweep owes each of them its
    reminder, its supervision order and its escalation, all at once."""
    StaffFactory(username="sup", department__code="yshj", role=Role.SUPERVISOR)
    assignee = StaffFactory(username="worker")
    first = CaseFactory(assignee=assignee)
    template = services.start_deadline(case=first, step="complaint.answer", label="部门答复",
                                       policy_key="answer_within", start=date(2025, 9, 26))  # fmt: skip
    cases = Case.objects.bulk_create(CaseFactory.build_batch(count - 1, assignee=assignee, department=first.department))
    copied = ("step", "label", "department_id", "assignee_id", "working_days", "started_on", "due_on", "due_at",
              "stage", "next_action_at")  # fmt: skip
    fields = {name: getattr(template, name) for name in copied}
    Deadline.objects.bulk_create([Deadline(case=case, **fields) for case in cases])
