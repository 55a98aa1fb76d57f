from celery import shared_task

from cases.reporting import reports

# The task names keep the "cases.tasks." prefix they had before the sub-apps: beat's schedule rows
# and any message already queued name them.


@shared_task(name="cases.tasks.remind_report_due", acks_late=True)
def remind_report_due() -> int:
    """Beat runs this every hour; department heads hear of the half-year report once each."""
    return reports.remind_department_heads()
