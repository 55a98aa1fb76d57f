from celery import shared_task

from cases.repair import services as repair_services

# The task names keep the "cases.tasks." prefix they had before the sub-apps: beat's schedule rows
# and any message already queued name them.


@shared_task(name="cases.tasks.push_national_sync", acks_late=True, ignore_result=True)
def push_national_sync(sync_id: int) -> bool:
    return repair_services.push_sync(sync_id)


# Superseded by the one periodic re-delivery (cases.infra.tasks.redeliver_outbox); kept for a beat
# schedule row or a message that still names it.
@shared_task(name="cases.tasks.retry_national_syncs", acks_late=True)
def retry_national_syncs() -> int:
    return repair_services.retry_pending_syncs()


@shared_task(name="cases.tasks.lapse_overdue_corrections", acks_late=True)
def lapse_overdue_corrections() -> int:
    """补正期满未补正: end the applications whose correction period passed (beat, every 10 minutes),
    and any application left open on a record whose display ended (one the display sweep skipped)."""
    return repair_services.lapse_overdue() + repair_services.end_on_expired_records()
