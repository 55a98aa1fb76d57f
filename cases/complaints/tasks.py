from celery import shared_task

from cases.complaints import building as complaint_building
from cases.complaints import channel_callbacks
from cases.complaints import services as complaint_services

# The task names keep the "cases.tasks." prefix they had before the sub-apps: beat's schedule rows
# and any message already queued name them.


@shared_task(name="cases.tasks.confirm_overdue_answers", acks_late=True)
def confirm_overdue_answers() -> int:
    return complaint_services.confirm_overdue_answers()


@shared_task(name="cases.tasks.push_channel_callback", acks_late=True, ignore_result=True)
def push_channel_callback(callback_id: int) -> bool:
    return channel_callbacks.push(callback_id)


# Superseded by the one periodic re-delivery (cases.infra.tasks.redeliver_outbox); kept for a beat
# schedule row or a message that still names it.
@shared_task(name="cases.tasks.retry_channel_callbacks", acks_late=True)
def retry_channel_callbacks() -> int:
    return channel_callbacks.retry_pending()


@shared_task(name="cases.tasks.open_work_orders", acks_late=True)
def open_work_orders() -> int:
    """Queued when work orders arrive, and run by beat each minute for any a lost task left."""
    return complaint_building.open_all_waiting()
