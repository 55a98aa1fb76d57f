from celery import shared_task

from cases.records import watch as record_watch

# The task names keep the "cases.tasks." prefix they had before the sub-apps: beat's schedule rows
# and any message already queued name them.


@shared_task(name="cases.tasks.watch_records", acks_late=True)
def watch_records() -> dict:
    return {"repairable": record_watch.tell_repairable(), "expired": record_watch.end_display()}
