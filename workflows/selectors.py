"""Which tasks a user holds (inbox) and which they may take (queue).

Scoped like the cases themselves: a department's tasks go to that department's staff, the
intake clerks' to the clerks, the supervisors' to the supervisors, an applicant's to them.
"""

from django.db.models import Case, F, Q, QuerySet, Value, When
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from cases.core import states
from cases.core.models import Case as CaseRow
from workflows.engine import ACTIVE
from workflows.flows import DEPARTMENT_DECISION, DEPARTMENT_WORK, FLOWS, INTAKE, SUPERVISION

CASE = "process__caseprocess__case"


def _tasks(statuses=ACTIVE, *, open_said: bool = True) -> QuerySet[Task]:
    """Active tasks of open cases (a closed case waits on nobody; `statuses` None: the caller says
    them). The case's being open is said although its task's status implies it: it lets
    PostgreSQL read the open cases' indexes in their due order and stop at the page's last row,
    instead of joining every active task of the province to its case and sorting them.
    `open_said` False: not said, for a caller that names the case's (open) states instead."""
    tasks = Task.objects.filter(**{f"{CASE}__isnull": False})  # joined, not outer-joined
    if open_said:
        tasks = tasks.filter(**{f"{CASE}__closed_at__isnull": True})
    if statuses is not None:
        tasks = tasks.filter(status__in=statuses)
    return tasks.select_related("owner", f"{CASE}", f"{CASE}__department")


def _most_urgent_first(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """By the case's next due time (cases without a running clock last), then the oldest case: the
    order of the open cases' index (next_due_at, id), so PostgreSQL reads it and stops at the
    page's last row. Due times are starts of days; ordered by the task's age within one, a
    province's queue sorted the tens of thousands of cases due that day first."""
    return tasks.order_by(F(f"{CASE}__next_due_at").asc(nulls_last=True), f"{CASE}__id", "pk")


def states_awaiting(permission: str) -> list[str]:
    """The case states in which a task for `permission` can wait (the flows' nodes that ask for it,
    and where each kind's state machine waits on them)."""
    waiting = set()
    for kind, flow_class in FLOWS.items():
        for wait in states.WAITS.get(kind, ()):
            node = getattr(flow_class, wait.task, None)
            if getattr(node, "_owner_permission", None) == permission:
                waiting.update(str(state) for state in wait.states)
    return sorted(waiting)


def _approvals_awaiting(user) -> Q | None:
    """The department head's approvals nobody holds: theirs to decide without taking them first.
    The case's state is said although the task implies it: PostgreSQL then reads the
    department's cases in those states (an index) rather than all its open cases."""
    if user.department_id is None or not user.has_perm(DEPARTMENT_DECISION):
        return None
    return Q(owner__isnull=True, status=STATUS.NEW, owner_permission=DEPARTMENT_DECISION,
             **{f"{CASE}__department_id": user.department_id,
                f"{CASE}__state__in": states_awaiting(DEPARTMENT_DECISION)})  # fmt: skip


def pooled_approvals(user) -> list[int]:
    """The ids of the approvals awaiting this department head, nobody's yet (none for others).
    Looked up first, from the department's open cases: OR-ed into one query with the tasks the
    head holds, the condition on the case kept PostgreSQL from using an index for either side,
    and it joined every pooled approval of the province to its case. The states awaiting an
    approval are open ones: without "open" said as well, the department's cases in those states
    come from one index alone (department, state, due, id), not from its rows."""
    approvals = _approvals_awaiting(user) if user.is_authenticated else None
    if approvals is None:
        return []
    found = _tasks(statuses=[STATUS.NEW], open_said=False).filter(approvals)
    return list(_most_urgent_in_inbox(found).values_list("pk", flat=True))


def inbox(user, pooled: list[int] | None = None) -> QuerySet[Task]:
    """Tasks the user holds and, for a department head, the approvals awaiting them (`pooled`, as
    pooled_approvals gives them, most urgent first): those first. A page that shows the first n
    rows needs only the first n of `pooled`."""
    if not user.is_authenticated:
        return Task.objects.none()
    mine = Q(owner=user, status__in=ACTIVE)
    pooled = pooled_approvals(user) if pooled is None else pooled
    if pooled:
        # The ids are of waiting tasks: the status is said on the held ones alone, else
        # PostgreSQL read every active task's status.
        mine |= Q(pk__in=pooled)
    tasks = (
        _tasks(statuses=None)
        .filter(mine)
        .annotate(approval_last=Case(When(owner_permission=DEPARTMENT_DECISION, then=Value(0)), default=Value(1)))
    )
    return _most_urgent_in_inbox(tasks, "approval_last")


def _most_urgent_in_inbox(tasks: QuerySet[Task], *first) -> QuerySet[Task]:
    return tasks.order_by(*first, F(f"{CASE}__next_due_at").asc(nulls_last=True), "created", "pk")


def inbox_count(user, pooled: list[int]) -> int:
    """How many tasks the inbox lists: the approvals already found, and those the user holds
    (counted apart: joining the approvals to their cases again cost more than the page)."""
    if not user.is_authenticated:
        return 0
    return len(pooled) + _tasks().filter(owner=user).count()


def queue(user) -> QuerySet[Task]:
    """Open tasks nobody holds that the user may take."""
    if not user.is_authenticated:
        return Task.objects.none()
    allowed = Q(pk__in=[])
    for permission in (INTAKE, SUPERVISION):
        if user.has_perm(permission):
            allowed |= Q(owner_permission=permission)
    # A department's approvals are not taken from a queue: they wait in its heads' inbox.
    if user.department_id is not None and user.has_perm(DEPARTMENT_WORK):
        allowed |= Q(owner_permission=DEPARTMENT_WORK, **{f"{CASE}__department_id": user.department_id})
    return _most_urgent_first(_tasks(statuses=[STATUS.NEW]).filter(allowed, owner__isnull=True))


def may_take(user, task) -> bool:
    if queue(user).filter(pk=task.pk).exists():
        return True
    approvals = _approvals_awaiting(user) if user.is_authenticated else None
    return approvals is not None and _tasks().filter(approvals, pk=task.pk).exists()


def extensions_awaiting(user) -> list:
    """Extensions of a decision's deadline the caseworkers proposed, awaiting this department head
    (not a task of the flow: the case stays where it is while the head decides)."""
    if not user.is_authenticated or user.department_id is None or not user.has_perm(DEPARTMENT_DECISION):
        return []
    return list(
        CaseRow.objects.filter(
            kind="repair", department_id=user.department_id, closed_at__isnull=True,
            repair__extension_requested_at__isnull=False,
        ).order_by("repair__extension_requested_at")[:50]
    )  # fmt: skip
