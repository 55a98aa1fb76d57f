from celery import shared_task

from notifications import delivery


@shared_task(name="notifications.tasks.deliver_notifications", acks_late=True, ignore_result=True)
def deliver_notifications(notification_ids: list[int]) -> int:
    return delivery.deliver_many(notification_ids)


# Superseded by the one periodic re-delivery (cases.infra.tasks.redeliver_outbox); kept for a beat
# schedule row or a message that still names it.
@shared_task(name="notifications.tasks.redeliver_pending", acks_late=True)
def redeliver_pending() -> int:
    return delivery.redeliver_pending()
