"""Which tasks a user holds (inbox) and which they may take (queue).

Scoped like the cases themselves: a department's tasks go to that department's staff, the
intake clerks' to the clerks, the supervisors' to the supervisors, an applicant's to them.
"""

from django.db.models import F, Q, QuerySet
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from workflows.engine import ACTIVE
from workflows.flows import DEPARTMENT_DECISION, DEPARTMENT_WORK, INTAKE, SUPERVISION

CASE = "process__caseprocess__case"


def _tasks() -> QuerySet[Task]:
    return Task.objects.filter(status__in=ACTIVE).select_related("owner", f"{CASE}", f"{CASE}__department")


def _most_urgent_first(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """By the case's next due time (cases without a running clock last), then the oldest task."""
    return tasks.order_by(F(f"{CASE}__next_due_at").asc(nulls_last=True), "created", "pk")


def inbox(user) -> QuerySet[Task]:
    """Tasks the user holds."""
    if not user.is_authenticated:
        return Task.objects.none()
    return _most_urgent_first(_tasks().filter(owner=user))


def queue(user) -> QuerySet[Task]:
    """Open tasks nobody holds that the user may take."""
    if not user.is_authenticated:
        return Task.objects.none()
    allowed = Q(pk__in=[])
    for permission in (INTAKE, SUPERVISION):
        if user.has_perm(permission):
            allowed |= Q(owner_permission=permission)
    if user.department_id is not None:
        for permission in (DEPARTMENT_WORK, DEPARTMENT_DECISION):
            if user.has_perm(permission):
                allowed |= Q(owner_permission=permission, **{f"{CASE}__department_id": user.department_id})
    return _most_urgent_first(_tasks().filter(allowed, status=STATUS.NEW, owner__isnull=True))


def may_take(user, task) -> bool:
    return queue(user).filter(pk=task.pk).exists()
