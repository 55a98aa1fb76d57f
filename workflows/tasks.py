"""Celery tasks that drive viewflow. viewflow 2.4's open-source part ships `fire_due_timers()`
and a management command, but no Celery task: this is ours, run by beat every minute."""

from celery import shared_task
from viewflow.workflow.timers import fire_due_timers


@shared_task(name="workflows.tasks.fire_workflow_timers", acks_late=True)
def fire_workflow_timers() -> int:
    return fire_due_timers()
