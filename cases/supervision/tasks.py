from celery import shared_task
from django.utils.dateparse import parse_datetime

from cases.supervision import sweep as deadline_sweep

# The task names keep the "cases.tasks." prefix they had before the sub-apps: beat's schedule rows
# and any message already queued name them.


@shared_task(name="cases.tasks.sweep_deadlines", acks_late=True)
def sweep_deadlines(now: str | None = None, batch_size: int = 1000) -> dict:
    """Beat runs this every minute; `now` (ISO 8601) lets an operator replay a missed moment."""
    report = deadline_sweep.sweep(now=parse_datetime(now) if now else None, batch_size=batch_size)
    return dict(report.fired)
