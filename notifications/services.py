"""Writing to the outbox, and the reader's actions on their notifications."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from notifications.kinds import EMAIL, KINDS, LIVE, SMS, channels_for
from notifications.models import Notification, NotificationPreference

logger = logging.getLogger(__name__)


def live_from_web() -> bool:
    """On the embedded default the in-memory channel layer lives in the web process only, so the
    web process's sockets pick up live notifications from the outbox themselves (consumers.py)."""
    return not settings.REDIS_URL


class Outbox:
    """Collects notifications and writes them in bulk in the current transaction; delivery is
    queued only once the transaction commits."""

    def __init__(self):
        self._pending: list[tuple[list[int], dict]] = []

    def add(self, recipients, *, kind: str, title: str, body: str, case=None, payload=None) -> "Outbox":
        if kind not in KINDS:
            raise ValueError(f"unknown notification kind {kind!r}")
        ids = [getattr(r, "pk", r) for r in recipients if r is not None]
        fields = {"kind": kind, "title": title, "body": body, "case": case, "payload": payload or {}}
        self._pending.append((list(dict.fromkeys(ids)), fields))
        return self

    def flush(self) -> list[Notification]:
        if not self._pending:
            return []
        user_ids = {uid for ids, _fields in self._pending for uid in ids}
        kinds = {fields["kind"] for _ids, fields in self._pending}
        contacts = {
            pk: (email, phone)
            for pk, email, phone in get_user_model().objects.filter(pk__in=user_ids).values_list("pk", "email", "phone")
        }
        preferences = {
            (p.user_id, p.kind): p for p in NotificationPreference.objects.filter(user_id__in=user_ids, kind__in=kinds)
        }
        worker_does_live = not live_from_web()
        rows = []
        for ids, fields in self._pending:
            for uid in ids:
                if uid not in contacts:
                    continue
                email, phone = contacts[uid]
                channels = channels_for(fields["kind"], preferences.get((uid, fields["kind"])))
                via_email, via_sms = EMAIL in channels and bool(email), SMS in channels and bool(phone)
                rows.append(
                    Notification(
                        recipient_id=uid,
                        via_live=LIVE in channels,
                        via_email=via_email,
                        via_sms=via_sms,
                        pending=via_email or via_sms or (LIVE in channels and worker_does_live),
                        **fields,
                    )
                )
        self._pending = []
        created = Notification.objects.bulk_create(rows, batch_size=1000)
        to_deliver = [n.pk for n in created if n.pending]
        if to_deliver:
            transaction.on_commit(lambda: enqueue_delivery(to_deliver), robust=True)
        return created


def notify(recipients, *, kind: str, title: str, body: str, case=None, payload=None) -> list[Notification]:
    return Outbox().add(recipients, kind=kind, title=title, body=body, case=case, payload=payload).flush()


def enqueue_delivery(notification_ids: list[int]) -> None:
    """Hand the delivery to a worker. If the broker is down the rows stay pending and the
    periodic re-delivery sends them once it is back: the change that caused them stands."""
    from notifications.tasks import deliver_notifications

    for start in range(0, len(notification_ids), 500):
        chunk = notification_ids[start : start + 500]
        try:
            deliver_notifications.apply_async(args=[chunk], retry=False)
        except Exception:  # broker unreachable: re-delivery will pick these rows up
            logger.warning("could not queue delivery of %d notifications; re-delivery will send them", len(chunk))
            return


def mark_read(*, user, notification_id: int) -> int:
    return Notification.objects.filter(pk=notification_id, recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


@transaction.atomic
def save_preferences(*, user, choices: dict[str, set[str]]) -> None:
    """choices: kind code → the channels the user wants (urgent kinds keep live + e-mail anyway)."""
    for code in KINDS:
        wanted = choices.get(code, set())
        NotificationPreference.objects.update_or_create(
            user=user, kind=code, defaults={LIVE: LIVE in wanted, EMAIL: EMAIL in wanted, SMS: SMS in wanted}
        )
