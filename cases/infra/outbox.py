"""The outbox: a row written in the same transaction as the change that causes it, sent after
commit, and sent again on one schedule until it lands or the attempts run out.

Every kind of outbound message (notifications, the national-site sync, channel callbacks) keeps
its own sending code and registers it here (`register`, from its AppConfig.ready); the
bookkeeping is this module's: which rows are due, one claim per row (`select_for_update(
skip_locked=True)`, so two workers never send the same row), the attempt count, the next attempt
after a failure (30 s, doubling, at most an hour apart) and, after `settings.OUTBOX_MAX_ATTEMPTS`
failed attempts, the dead-letter state. A dead letter waits for an administrator to re-send it
(`resend`, the admin's dead-letter lists). The rule is described in the README's outbox paragraph.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.db import models, transaction
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)


class OutboxState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    DEAD = "dead", _("Dead letter")


def backoff(failed_attempts: int) -> timedelta:
    """How long after its `failed_attempts`-th failure a row is tried again."""
    if failed_attempts < 1:
        return FIRST_RETRY
    # Capped before the power grows: the exponent of a long-failing row stays small.
    doublings = min(failed_attempts - 1, 16)
    return min(FIRST_RETRY * 2**doublings, LONGEST_WAIT)


def max_attempts() -> int:
    return settings.OUTBOX_MAX_ATTEMPTS


def first_attempt_due():
    """A row written through the ORM is left to its after-commit push for one backoff step before
    the periodic re-delivery picks it up (a raw INSERT gets the database's now: due at once)."""
    return timezone.now() + FIRST_RETRY


class OutboxRow(models.Model):
    """What every outbox row carries. Subclasses add what they send and where."""

    state = models.CharField(
        _("delivery state"),
        max_length=10,
        choices=OutboxState.choices,
        default=OutboxState.PENDING,
        db_default=OutboxState.PENDING,
    )
    attempts = models.PositiveIntegerField(_("delivery attempts"), default=0, db_default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=first_attempt_due, db_default=Now())
    last_error = models.CharField(_("last delivery error"), max_length=300, blank=True, default="", db_default="")
    dead_lettered_at = models.DateTimeField(_("dead-lettered at"), null=True, blank=True)

    class Meta:
        abstract = True

    # A kind whose attempts are counted otherwise (a notification counts them per channel)
    # overrides these three and `state_values`.
    def count_attempt(self) -> None:
        self.attempts += 1

    def attempts_made(self) -> int:
        return self.attempts

    @classmethod
    def fresh_attempts(cls):
        return 0

    @classmethod
    def state_values(cls, state: str) -> dict:
        """The column values that put a row in `state` (a kind may mirror the state elsewhere)."""
        return {"state": state}

    def set_state(self, state: str) -> list[str]:
        values = self.state_values(state)
        for name, value in values.items():
            setattr(self, name, value)
        return list(values)


@dataclass(frozen=True)
class OutboxKind:
    """One kind of outbox row and how to send it.

    `send(row)` raises on failure; what it changed on the row (a receipt, a channel's delivery
    time) is saved with the bookkeeping, named in `sent_fields`. `on_sent(row)` runs in the same
    transaction once the row is marked sent (a repair's case moving on); its errors roll back."""

    name: str
    model: type[OutboxRow]
    send: Callable[[OutboxRow], None]
    sent_fields: tuple[str, ...] = ()
    select_related: tuple[str, ...] = ()
    on_sent: Callable[[OutboxRow], None] | None = None
    batch: int = 500


_KINDS: dict[str, OutboxKind] = {}


def register(kind: OutboxKind) -> None:
    _KINDS[kind.name] = kind


def kinds() -> list[OutboxKind]:
    return list(_KINDS.values())


def kind_of(model) -> OutboxKind:
    for kind in _KINDS.values():
        if kind.model is model or isinstance(model, kind.model):
            return kind
    raise LookupError(f"{model!r} is not an outbox kind")


SENT, FAILED = OutboxState.SENT, "failed"


def deliver(kind_name: str, pk: int) -> str | None:
    """Try one row now, whether due or not (the after-commit push). Returns "sent", "failed", or
    None when the row is not pending or another worker holds it."""
    kind = _KINDS[kind_name]
    with transaction.atomic():
        row = (
            kind.model.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related(*kind.select_related)
            .filter(pk=pk, state=OutboxState.PENDING)
            .first()
        )
        if row is None:
            return None
        row.count_attempt()
        fields = ["attempts", "last_error", "next_attempt_at", "dead_lettered_at", *kind.sent_fields]
        try:
            kind.send(row)
        except Exception as exc:  # recorded on the row; the schedule decides what follows
            logger.warning("outbox %s %s: attempt %d failed: %s", kind.name, pk, row.attempts_made(), exc)
            row.last_error = f"{exc.__class__.__name__}: {exc}"[:300]
            now = timezone.now()
            if row.attempts_made() >= max_attempts():
                fields += row.set_state(OutboxState.DEAD)
                row.dead_lettered_at = now
            else:
                row.next_attempt_at = now + backoff(row.attempts_made())
            row.save(update_fields=list(dict.fromkeys(fields)))
            return FAILED
        fields += row.set_state(OutboxState.SENT)
        row.save(update_fields=list(dict.fromkeys(fields)))
        if kind.on_sent is not None:
            kind.on_sent(row)
    return SENT


def due(kind_name: str, limit: int | None = None) -> list[int]:
    kind = _KINDS[kind_name]
    rows = kind.model.objects.filter(state=OutboxState.PENDING, next_attempt_at__lte=timezone.now())
    return list(rows.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[: limit or kind.batch])


def redeliver(kind_name: str, limit: int | None = None) -> int:
    """Try this kind's due rows. Returns how many were handled (sent or failed again)."""
    return sum(deliver(kind_name, pk) is not None for pk in due(kind_name, limit))


def redeliver_all() -> dict[str, int]:
    """The one periodic re-delivery: every registered kind's due rows."""
    return {kind.name: redeliver(kind.name) for kind in kinds()}


def resend(rows) -> int:
    """Put dead letters back in the queue with a fresh count, due at once. Returns how many."""
    model = rows.model
    return rows.filter(state=OutboxState.DEAD).update(
        **model.state_values(OutboxState.PENDING),
        attempts=model.fresh_attempts(),
        next_attempt_at=timezone.now(),
        dead_lettered_at=None,
    )


def queue_task(task_name: str, *args) -> bool:
    """Hand work to a worker by task name (so services need not import `tasks` modules). If the
    broker is down the outbox row stays pending and the periodic re-delivery sends it: the change
    that caused it stands. False when it could not be queued."""
    try:
        if task_name not in current_app.tasks:
            # The web process never imports the apps' tasks modules; the worker's autodiscovery
            # finds them the same way here.
            current_app.autodiscover_tasks(force=True)
        task = current_app.tasks.get(task_name)
        if task is not None:
            task.apply_async(args=list(args), retry=False)  # honours eager mode in tests
        else:
            current_app.send_task(task_name, args=list(args), retry=False)
    except Exception:  # broker unreachable: re-delivery will pick the row up
        logger.warning("could not queue %s; the periodic re-delivery will send it", task_name)
        return False
    return True


def queue_task_on_commit(task_name: str, *args) -> None:
    """Queue the task once the current transaction commits (nothing if it rolls back)."""
    transaction.on_commit(lambda: queue_task(task_name, *args), robust=True)
