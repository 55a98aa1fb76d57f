"""The view of every human task: a task is worked on its case's page, where the allowed actions are."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from viewflow.workflow.models import Task

from cases.core import selectors as case_selectors


@login_required
def task_page(request, task_id: int | None = None, **kwargs):
    """Open the page where the task is done: the case's own page."""
    case_id = Task.objects.filter(pk=task_id).values_list("process__caseprocess__case_id", flat=True).first()
    case = get_object_or_404(case_selectors.cases_visible_to(request.user), pk=case_id)
    if case.kind == "repair":
        return redirect("repair-application", case.number)
    if case.kind == "complaint":
        return redirect("complaint", case.number)
    return redirect("case-detail", case.number)
