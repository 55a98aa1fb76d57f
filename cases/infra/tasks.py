from celery import shared_task
from django.core.management import call_command

from cases.infra import outbox, partitions


@shared_task(name="cases.infra.tasks.redeliver_outbox", acks_late=True)
def redeliver_outbox() -> dict[str, int]:
    """The one periodic re-delivery of every outbox kind's due rows."""
    return outbox.redeliver_all()


@shared_task(name="cases.infra.tasks.clear_sessions")
def clear_sessions() -> None:
    """Expired sessions out of the database (Django's clearsessions), on beat's nightly schedule."""
    call_command("clearsessions")


@shared_task(name="cases.infra.tasks.ensure_partitions")
def ensure_partitions() -> list[str]:
    """The coming months' partitions of the audit trail and the notifications, made ahead (daily)."""
    return partitions.ensure_partitions()
