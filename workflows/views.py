"""Task pages: the inbox (tasks I hold), the queue (tasks I may take), claim and release."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.infra.navigation import redirect_back
from workflows import selectors, services

PAGE_SIZE = 25


@login_required
def task_list(request):
    tab = "queue" if request.GET.get("tab") == "queue" else "inbox"
    tasks = selectors.queue(request.user) if tab == "queue" else selectors.inbox(request.user)
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
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
def claim(request, task_id: int):
    task = services.claim_task(task_id=task_id, actor=request.user)
    messages.success(request, _("The task “%(task)s” is yours now.") % {"task": task.flow_task.task_title})
    return redirect_back(request, "tasks")


@login_required
@require_POST
def release(request, task_id: int):
    task = services.release_task(task_id=task_id, actor=request.user)
    messages.success(request, _("The task “%(task)s” is back in the queue.") % {"task": task.flow_task.task_title})
    return redirect_back(request, "tasks")
