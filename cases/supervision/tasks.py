from celery import shared_task
from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from cases.supervision import sweep as deadline_sweep

# The task names keep the "cases.tasks." prefix they had before the sub-apps: beat's schedule rows
# and any message already queued name them.


@shared_task(name="cases.tasks.sweep_deadlines", acks_late=True)
def sweep_deadlines(now: str | None = None, batch_size: int = 1000, fan_out: bool = True) -> dict:
    """Beat runs this every minute; `now` (ISO 8601) lets an operator replay a missed moment.

    With SWEEP_PARALLEL above 1 it first sends that many more sweeps, less one, of the same moment
    (fan_out off, so they send none): whichever worker processes are free take them, and all of
    them share the due deadlines, each batch locked by one sweep only (sweep.due_batch)."""
    moment = parse_datetime(now) if now else timezone.now()
    if fan_out:
        for _ in range(settings.SWEEP_PARALLEL - 1):
            sweep_deadlines.apply_async(kwargs={"now": moment.isoformat(), "batch_size": batch_size, "fan_out": False})
    report = deadline_sweep.sweep(now=moment, batch_size=batch_size)
    return dict(report.fired)
