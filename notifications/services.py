"""Writing to the outbox, and the reader's actions on their notifications."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from cases.infra import outbox
from cases.infra.bulk import insert_rows
from notifications import delivery, phrases, realtime
from notifications.kinds import EMAIL, KINDS, LIVE, SMS, channels_for
from notifications.models import Notification, NotificationPreference
from notifications.realtime import live_from_web

logger = logging.getLogger(__name__)

# Below this many rows bulk_create is as quick and gives the ids back directly.
COPY_THRESHOLD = 200
# Notifications per delivery task: fewer, larger messages keep a sweep's commit quick.
DELIVERY_CHUNK = 2000
# Up to this many notifications are pushed live by the committing process itself.
DIRECT_PUSH_LIMIT = 50


def _require_known(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")


def _words(title, body) -> dict:
    """The row's title and body in the office's language, and what was said as Phrases kept to be
    rendered in each reader's language (a str is text as typed: it stays as it is). Call it
    within phrases.said_in(settings.LANGUAGE_CODE), once for many."""
    words = {"title": phrases.render(title), "body": phrases.render(body)}
    wording = {
        part: phrases.dump(value) for part, value in (("title", title), ("body", body)) if phrases.is_phrased(value)
    }
    return {**words, "wording": wording}


def _office_words(title, body) -> dict:
    with phrases.said_in(settings.LANGUAGE_CODE):
        return _words(title, body)


class Outbox:
    """Collects notifications and writes them in bulk in the current transaction; delivery is
    queued only once the transaction commits."""

    def __init__(self):
        self._pending: list[tuple[list[int], dict]] = []

    def add(self, recipients, *, kind: str, title, body, case=None, payload=None) -> "Outbox":
        """`recipients`: users or their ids; `case`: a Case, its id, or None; `title` and `body`:
        Phrases (notifications/phrases.py) or text as a person typed it."""
        _require_known(kind)
        ids = [getattr(r, "pk", r) for r in recipients if r is not None]
        fields = {"kind": kind, "title": title, "body": body, "case": case, "payload": payload or {}}
        self._pending.append((list(dict.fromkeys(ids)), fields))
        return self

    def _rendered(self) -> None:
        """Each pending notification's words in the office's language, all in one pass."""
        with phrases.said_in(settings.LANGUAGE_CODE):
            for _ids, fields in self._pending:
                fields.update(_words(fields.pop("title"), fields.pop("body")))

    def flush(self) -> list[int]:
        """Write the collected notifications; returns their ids. Delivery is queued on commit."""
        if not self._pending:
            return []
        written_at = timezone.now()
        self._rendered()
        rows = self._rows(written_at)
        self._pending = []
        if len(rows) < COPY_THRESHOLD:
            written = [(n.pk, n.pending) for n in Notification.objects.bulk_create([Notification(**r) for r in rows])]
        else:
            insert_rows(Notification, rows)
            written = list(
                Notification.objects.filter(
                    created_at=written_at, recipient_id__in={row["recipient_id"] for row in rows}
                ).values_list("pk", "pending")
            )
        to_deliver = [pk for pk, pending in written if pending]
        if to_deliver:
            transaction.on_commit(lambda: deliver_after_commit(to_deliver), robust=True)
        return [pk for pk, _pending in written]

    def _rows(self, written_at) -> list[dict]:
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
        next_attempt_at = outbox.first_attempt_due()
        channels_of: dict[tuple, set[str]] = {}
        rows = []
        for ids, fields in self._pending:
            case = fields["case"]
            case_id = getattr(case, "pk", case)  # a Case or its id
            fields = {key: value for key, value in fields.items() if key != "case"}
            for uid in ids:
                if uid not in contacts:
                    continue
                email, phone = contacts[uid]
                preference = preferences.get((uid, fields["kind"]))
                key = (fields["kind"], preference.pk if preference else None)
                if key not in channels_of:
                    channels_of[key] = channels_for(fields["kind"], preference)
                channels = channels_of[key]
                via_email, via_sms = EMAIL in channels and bool(email), SMS in channels and bool(phone)
                pending = via_email or via_sms or (LIVE in channels and worker_does_live)
                rows.append(
                    {
                        "recipient_id": uid,
                        "case_id": case_id,
                        **fields,
                        "created_at": written_at,
                        "read_at": None,
                        "via_live": LIVE in channels,
                        "via_email": via_email,
                        "via_sms": via_sms,
                        "live_delivered_at": None,
                        "email_delivered_at": None,
                        "sms_delivered_at": None,
                        "attempts": {},
                        "last_error": "",
                        **Notification.state_values(outbox.OutboxState.PENDING if pending else outbox.OutboxState.SENT),
                        "next_attempt_at": next_attempt_at,
                        "dead_lettered_at": None,
                    }
                )
        return rows


def notify(recipients, *, kind: str, title, body, case=None, payload=None) -> list[Notification]:
    ids = Outbox().add(recipients, kind=kind, title=title, body=body, case=case, payload=payload).flush()
    return list(Notification.objects.filter(pk__in=ids).order_by("pk"))


def text_phone(phone: str, *, kind: str, title, body, case=None) -> Notification:
    """A text message to someone with no account here, through the outbox like any notification
    (written in this transaction, sent after commit, retried until it goes)."""
    _require_known(kind)
    notification = Notification.objects.create(
        recipient=None, phone=phone, kind=kind, **_office_words(title, body), case=case, via_live=False, via_sms=True
    )
    transaction.on_commit(lambda: deliver_after_commit([notification.pk]), robust=True)
    return notification


def deliver_after_commit(notification_ids: list[int]) -> None:
    """A few notifications (a user's action) go live straight from this process; e-mail, SMS
    and large sets (a sweep's batch) go to the workers."""
    if len(notification_ids) <= DIRECT_PUSH_LIMIT and not live_from_web():
        delivery.push_live_now(notification_ids)
        notification_ids = list(
            Notification.objects.filter(pk__in=notification_ids, pending=True).values_list("pk", flat=True)
        )
    if notification_ids:
        enqueue_delivery(notification_ids)


def enqueue_delivery(notification_ids: list[int]) -> None:
    """Hand the delivery to a worker. If the broker is down the rows stay pending and the
    periodic re-delivery sends them once it is back: the change that caused them stands."""
    for start in range(0, len(notification_ids), DELIVERY_CHUNK):
        chunk = notification_ids[start : start + DELIVERY_CHUNK]
        if not outbox.queue_task("notifications.tasks.deliver_notifications", chunk):
            return


class _BoardPush:
    """One transaction's push to the boards: after it commits, the departments of its changes that
    did not roll back, told once (by whichever of its changes' callbacks runs first)."""

    def __init__(self):
        self.changes: list[_BoardChange] = []
        self.sent = False

    def send(self) -> None:
        if self.sent:
            return
        self.sent = True
        departments = sorted(set().union(*(change.departments for change in self.changes)))
        message = {"type": "board", "departments": departments}
        try:
            realtime.push(realtime.board_group(), message)
            for department_id in departments:
                realtime.push(realtime.department_group(department_id), message)
        except Exception as exc:  # the boards catch up on the next change; this one stands
            logger.warning("board push failed: %s", exc)


class _BoardChange:
    """One change's departments, registered with on_commit in the atomic block that made it: if that
    block rolls back, Django drops the callback and the departments go with it."""

    def __init__(self, push: _BoardPush, departments: set[int]):
        self.push = push
        self.departments = departments

    def __call__(self) -> None:
        self.push.send()


def board_changed(department_ids=()) -> None:
    """Cases of these departments changed (state, deadline, stage, holder): the open supervisor
    boards, and each department's own, refresh. However many changes a transaction makes, one
    push follows its commit; none if it rolls back, and none of a rolled-back block's departments.

    The pending push is found among the transaction's own on_commit callbacks, never kept on the
    connection: a rollback empties those, so nothing of a rolled-back transaction outlives it."""
    departments = {department_id for department_id in department_ids if department_id}
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        push = _BoardPush()
        push.changes.append(_BoardChange(push, departments))
        push.send()
        return
    registered = [
        func
        for _savepoints, func, _robust in connection.run_on_commit
        if isinstance(func, _BoardChange) and not func.push.sent
    ]
    push = registered[0].push if registered else _BoardPush()
    # The changes of blocks rolled back since the last call are no longer registered: forget them.
    push.changes = [change for change in registered if change.push is push]
    change = _BoardChange(push, departments)
    push.changes.append(change)
    transaction.on_commit(change)


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
