"""Keeps each case's process in step with the case: the services of `cases` record a step, the
engine completes the task that step belongs to and lets the flow create the next one.

It follows cases.core.transitions' hook (registered in workflows.apps), run in the service's own
transaction on the locked case, so a step and its task commit or fail together. What each step
does to a task is declared once, with the step, in cases.core.states; the maps below are read
off those declarations.
"""

import logging
from itertools import groupby

from django.db import connection
from django.utils import timezone
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS, STATUS

from cases.core import states
from cases.core.event_types import EventType
from workflows.flows import FLOWS
from workflows.models import CaseProcess

logger = logging.getLogger(__name__)

ACTIVE = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)

# The event a step records → the tasks it completes (whichever of them is active).
COMPLETES = {step.event: step.completes for step in states.all_steps() if step.completes}
# Steps that begin a task without finishing it: the task is then the actor's, started.
STARTS = {step.event: {step.begins} for step in states.all_steps() if step.begins}
# Steps that end the process whatever task is open.
CANCELS = {step.event for step in states.all_steps() if step.cancels}
# The tasks a department's caseworker claims and releases from the queue.
DEPARTMENT_TASKS = {"acceptance", "review", "handling", "rectification"}
FOLLOWED = {EventType.CASE_OPENED, EventType.CASE_CLAIMED, EventType.CASE_RELEASED, EventType.CASE_HANDED,
            *COMPLETES, *STARTS, *CANCELS}  # fmt: skip


def on_case_event(*, case, event) -> None:
    event_type = event.event_type
    if case.kind not in FLOWS or event_type not in FOLLOWED:
        return
    process = CaseProcess.objects.filter(case=case).first()
    if process is None:
        # A case that came in without its process (bulk import, data from before the flows):
        # the process starts where the case's state says it waits.
        start(case)
        return
    if event_type in CANCELS:
        cancel(process)
    elif event_type in COMPLETES:
        task = _active_task(process, COMPLETES[event_type])
        if task is not None:
            _complete(task, event.actor)
    elif event_type in STARTS:
        task = _active_task(process, STARTS[event_type])
        if task is not None:
            _begin(task, event.actor)
    elif event_type == EventType.CASE_CLAIMED:
        task = _active_task(process, DEPARTMENT_TASKS)
        if task is not None and task.status == STATUS.NEW:
            assign(task, event.actor)
    elif event_type == EventType.CASE_HANDED:
        task = _active_task(process, DEPARTMENT_TASKS)
        if task is not None:
            _hand(task, event.payload["assignee"])
    elif event_type == EventType.CASE_RELEASED:
        task = _active_task(process, DEPARTMENT_TASKS)
        if task is not None and task.owner_id is not None:
            unassign(task)


def start(case) -> CaseProcess:
    """Start the case's process; its first gateway sends it to the task the case waits on."""
    return FLOWS[case.kind].start.run(case=case)


def on_cases_opened(*, cases) -> None:
    start_many([case for case in cases if case.kind in FLOWS])


def _start_key(case) -> tuple:
    # What a flow's start looks at: the gateways route by state, the tasks' owners are the
    # department's staff or the applicant.
    return case.kind, case.state, case.department_id or 0, case.applicant_id or 0


def start_many(cases) -> None:
    """Start the processes of cases opened together (complaint_building). The flow starts the
    first case of each group of alike cases (_start_key); the others get copies of its rows, one
    statement per table, which is what keeps a batch of work orders quick."""
    for _key, group in groupby(sorted(cases, key=_start_key), key=_start_key):
        first, *others = group
        template = start(first)
        if others:
            _copy_process(template, others)


CASE_PROCESS_FIELDS = ("process_ptr", "case")


def _copy_process(template: CaseProcess, cases) -> None:
    now = timezone.now()
    task_class = FLOWS[template.case.kind].task_class
    tasks = list(task_class.objects.filter(process=template).order_by("pk"))
    links = list(task_class.previous.through.objects.filter(from_task__in=tasks).values_list("from_task", "to_task"))
    parents = Process.objects.bulk_create(
        [Process(flow_class=template.flow_class, status=template.status, created=now, data=template.data)
         for _case in cases]
    )  # fmt: skip
    # Django's bulk_create does not write models with a parent table: the parent rows are
    # written above, the child's own columns here (a column added to CaseProcess needs a
    # db_default, which tests/integration/test_bulk_writers.py checks).
    quote = connection.ops.quote_name
    child = CaseProcess._meta
    columns = ", ".join(quote(child.get_field(name).column) for name in CASE_PROCESS_FIELDS)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(child.db_table)} ({columns}) VALUES (%s, %s)",
            [(parent.pk, case.pk) for parent, case in zip(parents, cases, strict=True)],
        )
    copies = task_class.objects.bulk_create([_task_copy(task, parent, now) for parent in parents for task in tasks])
    position = {task.pk: index for index, task in enumerate(tasks)}
    through = task_class.previous.through
    through.objects.bulk_create(
        [
            through(from_task_id=copies[n * len(tasks) + position[source]].pk,
                    to_task_id=copies[n * len(tasks) + position[target]].pk)
            for n in range(len(parents))
            for source, target in links
        ]
    )  # fmt: skip


TASK_MOMENTS = {"created", "assigned", "started", "finished"}


def _task_copy(task, process, now):
    copy = type(task)(process_id=process.pk)
    for field in task._meta.concrete_fields:
        if field.primary_key or field.name == "process":
            continue
        value = getattr(task, field.attname)
        # Each copy happened now: the moments the template's task was created, assigned, started or finished.
        setattr(copy, field.attname, now if value is not None and field.name in TASK_MOMENTS else value)
    return copy


def cancel(process) -> None:
    """End the process whatever task is open. viewflow cancels only tasks not yet started, so a
    task someone has started (the department's handling of a complaint its complainant withdraws)
    is first put back to assigned: nothing of its work is kept on the task, the case holds it."""
    flow = FLOWS[process.case.kind]
    flow.task_class.objects.filter(process=process, status=STATUS.STARTED).update(status=STATUS.ASSIGNED, started=None)
    flow.instance.cancel(process)


def active_tasks(case):
    """The open tasks of the case's process, the flow's view of what happens next (none for a
    kind without a flow: an objection's page says what happens next)."""
    if case.kind not in FLOWS:
        return Task.objects.none()
    return (
        FLOWS[case.kind]
        .task_class.objects.filter(process__caseprocess__case=case, status__in=ACTIVE)
        .select_related("owner")
        .order_by("created")
    )


def _active_task(process, node_names):
    flow = FLOWS[process.case.kind]
    nodes = [flow.instance.node(name) for name in node_names]
    return (
        flow.task_class.objects.filter(process=process, status__in=ACTIVE, flow_task__in=nodes)
        .order_by("-created")
        .first()
    )


def assign(task, actor) -> None:
    """Take a NEW task: the actor's, or the system's when a timer or sweep acts."""
    task.owner, task.status, task.assigned = actor, STATUS.ASSIGNED, timezone.now()
    task.save(update_fields=["owner", "status", "assigned"])


def _hand(task, owner_id: int) -> None:
    """The department head gave the case to someone: the task is theirs, as far as it has got."""
    if task.status == STATUS.NEW:
        task.owner_id, task.status, task.assigned = owner_id, STATUS.ASSIGNED, timezone.now()
        task.save(update_fields=["owner", "status", "assigned"])
    elif task.owner_id != owner_id:
        task.owner_id = owner_id
        task.save(update_fields=["owner"])


def unassign(task) -> None:
    task.owner, task.status, task.assigned, task.started = None, STATUS.NEW, None, None
    task.save(update_fields=["owner", "status", "assigned", "started"])


def _begin(task, actor) -> None:
    if task.status == STATUS.NEW:
        assign(task, actor)
    elif actor is not None and task.owner_id != actor.pk:
        task.owner = actor  # the services decided the actor may act (a head, a new assignee)
        task.save(update_fields=["owner"])
    if task.status == STATUS.ASSIGNED:
        activation = task.flow_task.activation_class(task)
        activation.start(None)
        task.save(update_fields=["status", "started"])


def _complete(task, actor) -> None:
    if task.flow_task_type == "FUNCTION":  # flow.Handle: done by the system
        task.flow_task.run(task)
        return
    _begin(task, actor)
    task.flow_task.activation_class(task).execute()


def finished(process) -> bool:
    return process.status in (PROCESS.DONE, PROCESS.CANCELED)
