"""Task pages: the inbox (tasks I hold), the queue (tasks I may take), claim and release."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from cases.core import deadlines, feedback
from cases.core import selectors as case_selectors
from cases.core.event_types import EventType
from cases.core.models import Case
from cases.infra.navigation import redirect_back, url_for_each
from cases.infra.pagination import Page
from workflows import selectors, services

PAGE_SIZE = 25
# What a row shows (_task_rows): the page is opened all day, and reading every column of the task,
# its process, its case, the case's department and the task's holder cost more than the query.
ROW_COLUMNS = (
    "flow_task", "flow_task_type", "status", "created", "owner_id", "owner_permission", "process",
    "process__caseprocess", "process__caseprocess__case",
    *(f"{selectors.CASE}__{name}" for name in ("number", "title", "next_due_at", "department")),
    f"{selectors.CASE}__department__name_zh", f"{selectors.CASE}__department__name_en",
)  # fmt: skip


def _task_rows(page: Page, tab: str) -> list[dict]:
    """What each row shows, ready to print (links reversed once for the page): the lists are
    opened all day long, and looking these up in the template cost more than the queries."""
    now = timezone.now()
    task_url, claim_url, release_url = (url_for_each(name) for name in ("task", "task-claim", "task-release"))
    rows = []
    for task in page:
        case = task.process.caseprocess.case
        node = task.flow_task
        due_at = case.next_due_at
        rows.append(
            {
                "title": node.task_title,
                "started": task.status == STATUS.STARTED,
                "awaiting_approval": tab == "inbox" and not task.owner_id,
                "url": task_url(task.pk),
                "number": case.number,
                "case_title": case.title,
                "objection_reasons": task.objection_reasons,
                "dissatisfaction": task.dissatisfaction,
                "department": case.department.name if case.department_id else "",
                "due_on": f"{deadlines.due_date(due_at):%Y-%m-%d}" if due_at else "",
                "overdue": due_at is not None and due_at <= now,
                "created": f"{timezone.localtime(task.created):%Y-%m-%d %H:%M}",
                "claim_url": claim_url(task.pk) if tab == "queue" else "",
                "release_url": release_url(task.pk)
                if tab != "queue"
                and task.status == STATUS.ASSIGNED
                and node.task_type == "HUMAN"
                and task.owner_permission
                else "",
            }
        )
    return rows


@login_required
def task_list(request):
    tab = "queue" if request.GET.get("tab") == "queue" else "inbox"
    pooled = selectors.pooled_approvals(request.user)
    # The page's rows come from the first approvals at most (they are listed first, in this order).
    inbox = selectors.inbox(request.user, pooled[: Page.rows_up_to(request.GET.get("page"), PAGE_SIZE)])
    tasks = selectors.queue(request.user) if tab == "queue" else inbox
    tasks = case_selectors.with_concerns(tasks, case=selectors.CASE + "__")
    tasks = tasks.select_related(None).select_related(f"{selectors.CASE}__department").only(*ROW_COLUMNS)
    # Not counted: a province's queue holds hundreds of thousands of tasks, and counting them cost
    # more than the page (cases.infra.pagination).
    page = Page(tasks, request.GET.get("page"), PAGE_SIZE, serial=True)
    return render(
        request,
        "workflows/task_list.html",
        {
            "tab": tab,
            "page": page,
            "rows": _task_rows(page, tab),
            "inbox_count": selectors.inbox_count(request.user, pooled),
            "extensions": selectors.extensions_awaiting(request.user) if tab == "inbox" else [],
            "querystring": f"tab={tab}&",
            "back": request.get_full_path(),
        },
    )


@login_required
@require_POST
@feedback.back_on_refusal("tasks")
def claim(request, task_id: int):
    task = services.claim_task(task_id=task_id, actor=request.user)
    _announce(request, task, EventType.TASK_CLAIMED)
    return redirect_back(request, "tasks")


@login_required
@require_POST
@feedback.back_on_refusal("tasks")
def release(request, task_id: int):
    task = services.release_task(task_id=task_id, actor=request.user)
    _announce(request, task, EventType.TASK_RELEASED)
    return redirect_back(request, "tasks")


def _announce(request, task, event_type: EventType) -> None:
    """Taking or giving back a task, said with its title and its case's number (a task is always
    a case's; a department's task claims or releases the case itself)."""
    case_id = Task.objects.filter(pk=task.pk).values_list("process__caseprocess__case_id", flat=True).first()
    feedback.tell(request, Case.objects.get(pk=case_id), event_type, task=str(task.flow_task.task_title))
