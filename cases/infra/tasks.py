from celery import shared_task

from cases.infra import outbox


@shared_task(name="cases.infra.tasks.redeliver_outbox", acks_late=True)
def redeliver_outbox() -> dict[str, int]:
    """The one periodic re-delivery of every outbox kind's due rows."""
    return outbox.redeliver_all()
