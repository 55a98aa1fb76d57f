from celery import shared_task
from django.utils.dateparse import parse_datetime

from cases import supervision


@shared_task(name="cases.tasks.sweep_deadlines", acks_late=True)
def sweep_deadlines(now: str | None = None, batch_size: int = 1000) -> dict:
    """Beat runs this every minute; `now` (ISO 8601) lets an operator replay a missed moment."""
    report = supervision.sweep(now=parse_datetime(now) if now else None, batch_size=batch_size)
    return dict(report.fired)


@shared_task(name="cases.tasks.push_national_sync", acks_late=True, ignore_result=True)
def push_national_sync(sync_id: int) -> bool:
    from cases import repair_services

    return repair_services.push_sync(sync_id)


@shared_task(name="cases.tasks.retry_national_syncs", acks_late=True)
def retry_national_syncs() -> int:
    from cases import repair_services

    return repair_services.retry_pending_syncs()


@shared_task(name="cases.tasks.watch_records", acks_late=True)
def watch_records() -> dict:
    from cases import record_watch

    return {"repairable": record_watch.tell_repairable(), "expired": record_watch.end_display()}


@shared_task(name="cases.tasks.confirm_overdue_answers", acks_late=True)
def confirm_overdue_answers() -> int:
    from cases import complaint_services

    return complaint_services.confirm_overdue_answers()


@shared_task(name="cases.tasks.push_channel_callback", acks_late=True, ignore_result=True)
def push_channel_callback(callback_id: int) -> bool:
    from cases import channel_callbacks

    return channel_callbacks.push(callback_id)


@shared_task(name="cases.tasks.retry_channel_callbacks", acks_late=True)
def retry_channel_callbacks() -> int:
    from cases import channel_callbacks

    return channel_callbacks.retry_pending()


@shared_task(name="cases.tasks.remind_report_due", acks_late=True)
def remind_report_due() -> int:
    """Beat runs this every hour; department heads hear of the half-year report once each."""
    from cases import reports

    return reports.remind_department_heads()


@shared_task(name="cases.tasks.open_work_orders", acks_late=True)
def open_work_orders() -> int:
    """Queued when work orders arrive, and run by beat each minute for any a lost task left."""
    from cases import complaint_building

    return complaint_building.open_all_waiting()
