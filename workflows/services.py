"""Taking and giving back a task from the queue. A department's task is the department's case:
taking it claims the case (cases.core.services), so the queue and the case never disagree."""

from django.db import transaction
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from cases.core import services, transitions
from cases.core.event_types import EventType
from cases.core.exceptions import Conflict, NotFound, NotPermitted
from cases.core.models import Case
from workflows import engine, selectors


def _locked_task(task_id: int, actor):
    case_id = Task.objects.filter(pk=task_id).values_list("process__caseprocess__case_id", flat=True).first()
    if case_id is None or actor is None or not actor.is_authenticated:
        raise NotFound()
    case = Case.objects.select_for_update().get(pk=case_id)
    task = Task.objects.select_related("owner").get(pk=task_id)
    return case, task


@transaction.atomic
def claim_task(*, task_id: int, actor) -> Task:
    case, task = _locked_task(task_id, actor)
    if task.status not in (STATUS.NEW, STATUS.ASSIGNED):
        raise Conflict(_("This task is already done."))
    if task.owner_id == actor.pk:
        return task
    if task.owner_id is not None:
        raise Conflict(_("%(name)s is working on this case.") % {"name": task.owner})
    if not selectors.may_take(actor, task):
        raise NotPermitted()
    if task.flow_task.name in engine.DEPARTMENT_TASKS:
        services.ensure_claimed_by(case, actor)
    else:
        engine.assign(task, actor)
        transitions.record(case, EventType.TASK_CLAIMED, actor=actor, task=str(task.flow_task.task_title))
    task.refresh_from_db()
    return task


@transaction.atomic
def release_task(*, task_id: int, actor) -> Task:
    case, task = _locked_task(task_id, actor)
    if task.owner_id != actor.pk:
        raise NotPermitted()
    if task.status != STATUS.ASSIGNED:
        raise Conflict(_("A task already started can only be finished on its case's page."))
    if task.flow_task.name in engine.DEPARTMENT_TASKS:
        services.release_case(case_id=case.pk, actor=actor)
    else:
        engine.unassign(task)
        transitions.record(case, EventType.TASK_RELEASED, actor=actor, task=str(task.flow_task.task_title))
    task.refresh_from_db()
    return task
