"""Delivery of outbox rows, channel by channel. At least once to the channel layer (the browser
drops repeats by id); once for e-mail and SMS, because each row is locked while it is sent. The
attempts, the retry schedule and the dead letters are the shared outbox's (cases/infra/outbox.py)."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation

from cases.infra import outbox
from notifications import realtime, sms
from notifications.kinds import EMAIL, LIVE, SMS
from notifications.models import Notification
from notifications.realtime import live_from_web

logger = logging.getLogger(__name__)

KIND = "notification"


def _send_live(notification: Notification) -> None:
    realtime.push_to_user(notification.recipient_id, notification.as_message())


def _send_email(notification: Notification) -> None:
    with translation.override(settings.LANGUAGE_CODE):  # e-mail and SMS are in the office's language
        _send_email_text(notification)


def _send_email_text(notification: Notification) -> None:
    context = {"notification": notification, "recipient": notification.recipient, "site_url": settings.SITE_URL}
    try:
        text = render_to_string(f"notifications/email/{notification.kind}.txt", context)
    except TemplateDoesNotExist:
        text = render_to_string("notifications/email/default.txt", context)
    send_mail(notification.display_title, text, None, [notification.recipient.email])


def _send_sms(notification: Notification) -> None:
    """An account holder's text carries the link to the page it is about; a text to someone with
    no account carries the tracking page and the case's verification code in its title."""
    with translation.override(settings.LANGUAGE_CODE):
        text = f"【诚信】{notification.display_title}"
    if notification.recipient_id:
        phone, text = notification.recipient.phone, f"{text} {settings.SITE_URL}{notification.url}"
    else:
        phone = notification.phone
    sms.get_backend().send(phone, text, notification=notification)


SENDERS = {LIVE: _send_live, EMAIL: _send_email, SMS: _send_sms}


def worker_channels(notification: Notification) -> list[str]:
    channels = notification.undelivered_channels()
    if live_from_web():
        channels = [channel for channel in channels if channel != LIVE]
    return channels


class ChannelsFailed(Exception):
    """Some channels of a notification failed; the ones that went through stay delivered."""


def send_channels(notification: Notification) -> None:
    """The outbox's send for a notification: every channel still undelivered, each on its own."""
    now = timezone.now()
    errors = []
    for channel in worker_channels(notification):
        notification.attempts[channel] = notification.attempts.get(channel, 0) + 1
        try:
            SENDERS[channel](notification)
        except Exception as exc:  # each channel fails on its own
            errors.append(f"{channel}: {exc.__class__.__name__}: {exc}")
            logger.warning("delivery of notification %s by %s failed: %s", notification.pk, channel, exc)
            continue
        setattr(notification, f"{channel}_delivered_at", now)
    if errors:
        raise ChannelsFailed("; ".join(errors))


OUTBOX_KIND = outbox.OutboxKind(
    name=KIND,
    model=Notification,
    send=send_channels,
    sent_fields=("live_delivered_at", "email_delivered_at", "sms_delivered_at"),
    select_related=("recipient", "case"),
    batch=2000,
)


def deliver(notification_id: int) -> bool:
    """Deliver what is still undelivered of one notification. False if it is not pending or
    another worker holds it."""
    return outbox.deliver(KIND, notification_id) is not None


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
        Notification.objects.filter(pk__in=pushed, via_email=False, via_sms=False).update(
            **Notification.state_values(outbox.OutboxState.SENT)
        )


def deliver_many(notification_ids) -> int:
    return sum(deliver(pk) for pk in notification_ids)


def redeliver_pending(limit: int | None = None) -> int:
    """Deliver what is due again (its first push failed, or Redis, the broker or a worker was
    down). Returns how many rows were handled."""
    return outbox.redeliver(KIND, limit)
