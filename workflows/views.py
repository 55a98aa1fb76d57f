"""Task pages: the inbox (tasks I hold), the queue (tasks I may take), claim and release."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST
from viewflow.workflow.models import Task

from cases.core import feedback
from cases.core import selectors as case_selectors
from cases.core.event_types import EventType
from cases.core.models import Case
from cases.infra.navigation import redirect_back
from cases.infra.pagination import Page
from workflows import selectors, services

PAGE_SIZE = 25


@login_required
def task_list(request):
    tab = "queue" if request.GET.get("tab") == "queue" else "inbox"
    tasks = selectors.queue(request.user) if tab == "queue" else selectors.inbox(request.user)
    tasks = case_selectors.with_concerns(tasks, case=selectors.CASE + "__")
    # Not counted: a province's queue holds hundreds of thousands of tasks, and counting them cost
    # more than the page (cases.infra.pagination).
    page = Page(tasks, request.GET.get("page"), PAGE_SIZE)
    return render(
        request,
        "workflows/task_list.html",
        {
            "tab": tab,
            "page": page,
            "inbox_count": selectors.inbox(request.user).count(),
            "extensions": selectors.extensions_awaiting(request.user) if tab == "inbox" else [],
            "querystring": f"tab={tab}&",
            "now": timezone.now(),
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
