"""Delivery of outbox rows, channel by channel. At least once to the channel layer (the browser
drops repeats by id); once for e-mail and SMS, because each row is locked while it is sent."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone

from notifications import realtime, sms
from notifications.kinds import EMAIL, LIVE, SMS
from notifications.models import Notification
from notifications.services import live_from_web

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
REDELIVER_AFTER = timedelta(seconds=30)


def _send_live(notification: Notification) -> None:
    realtime.push_to_user(notification.recipient_id, notification.as_message())


def _send_email(notification: Notification) -> None:
    context = {"notification": notification, "recipient": notification.recipient, "site_url": settings.SITE_URL}
    try:
        text = render_to_string(f"notifications/email/{notification.kind}.txt", context)
    except TemplateDoesNotExist:
        text = render_to_string("notifications/email/default.txt", context)
    send_mail(notification.title, text, None, [notification.recipient.email])


def _send_sms(notification: Notification) -> None:
    phone = notification.recipient.phone if notification.recipient_id else notification.phone
    sms.get_backend().send(phone, f"【诚信】{notification.title}", notification=notification)


SENDERS = {LIVE: _send_live, EMAIL: _send_email, SMS: _send_sms}


def worker_channels(notification: Notification) -> list[str]:
    channels = notification.undelivered_channels()
    if live_from_web():
        channels = [channel for channel in channels if channel != LIVE]
    return channels


def deliver(notification_id: int) -> bool:
    """Deliver what is still undelivered of one notification. False if another worker holds it."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient", "case")
            .filter(pk=notification_id, pending=True)
            .first()
        )
        if notification is None:
            return False
        now = timezone.now()
        for channel in worker_channels(notification):
            attempts = notification.attempts.get(channel, 0) + 1
            notification.attempts[channel] = attempts
            try:
                SENDERS[channel](notification)
            except Exception as exc:  # each channel fails on its own; the row stays pending
                notification.last_error = f"{channel}: {exc.__class__.__name__}: {exc}"[:300]
                logger.warning("delivery of notification %s by %s failed: %s", notification.pk, channel, exc)
                if attempts >= MAX_ATTEMPTS:
                    setattr(notification, f"via_{channel}", False)
                continue
            setattr(notification, f"{channel}_delivered_at", now)
        notification.pending = bool(worker_channels(notification))
        notification.save(
            update_fields=[
                "attempts", "last_error", "pending", "via_live", "via_email", "via_sms",
                "live_delivered_at", "email_delivered_at", "sms_delivered_at",
            ]
        )  # fmt: skip
    return True


def push_live_now(notification_ids: list[int]) -> None:
    """Push freshly committed notifications to the browsers from the committing process: one
    hop through the channel layer instead of two (broker, worker). What cannot be pushed (the
    layer is down) stays pending for the worker."""
    rows = list(
        Notification.objects.filter(pk__in=notification_ids, via_live=True, live_delivered_at__isnull=True)
        .select_related("case")
        .order_by("pk")
    )
    pushed = []
    for notification in rows:
        try:
            _send_live(notification)
        except Exception as exc:  # the worker will try again
            logger.warning("live push of notification %s failed: %s", notification.pk, exc)
            break
        pushed.append(notification.pk)
    if pushed:
        Notification.objects.filter(pk__in=pushed, live_delivered_at__isnull=True).update(
            live_delivered_at=timezone.now()
        )
        Notification.objects.filter(pk__in=pushed, via_email=False, via_sms=False).update(pending=False)


def deliver_many(notification_ids) -> int:
    return sum(deliver(pk) for pk in notification_ids)


def redeliver_pending(limit: int = 2000) -> int:
    """Deliver what is still pending a while after it was written (Redis, the broker or a worker
    was down). Returns how many rows were handled."""
    cutoff = timezone.now() - REDELIVER_AFTER
    ids = list(
        Notification.objects.filter(pending=True, created_at__lte=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    return deliver_many(ids)
