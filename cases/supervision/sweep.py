"""The deadline sweep: every minute, one indexed query finds the deadlines whose next supervision
stage has come; they are processed in locked batches (FOR UPDATE SKIP LOCKED, so sweeps running
at once never take the same row) and each stage fires exactly once: an audit event, a supervision
order where the stage has one, and notifications to the assignee, the department head and the
supervisors, all written in bulk in the batch's transaction."""

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from cases.core import deadlines, events, policies, workdays
from cases.core.event_types import EventType
from cases.core.models import Case, Deadline, Stage, SupervisionLevel, User
from cases.core.models.deadline import step_words
from cases.core.roles import Role
from cases.infra import metrics
from cases.infra.bulk import insert_rows
from cases.infra.navigation import url_for_each
from cases.supervision.models import SupervisionOrder
from notifications import phrases
from notifications.phrases import Phrase
from notifications.services import Outbox, board_changed

logger = logging.getLogger(__name__)

STAGE_EVENT = {
    Stage.REMINDED: EventType.DEADLINE_REMINDED,
    Stage.SUPERVISED: EventType.DEADLINE_SUPERVISED,
    Stage.ESCALATED: EventType.DEADLINE_ESCALATED,
}
STAGE_KIND = {
    Stage.REMINDED: "deadline.reminder",
    Stage.SUPERVISED: "deadline.overdue",
    Stage.ESCALATED: "deadline.escalated",
}
STAGE_LEVEL = {Stage.SUPERVISED: SupervisionLevel.ORDER, Stage.ESCALATED: SupervisionLevel.ESCALATION}


@dataclass
class SweepReport:
    fired: Counter = field(default_factory=Counter)
    batches: int = 0

    @property
    def total(self) -> int:
        return sum(self.fired.values())


class Recipients:
    """What every deadline of a sweep shares, looked up once: department heads, supervisors,
    policy numbers, message templates, working-day counts."""

    def __init__(self):
        self._heads: dict[int, list[int]] | None = None
        self._supervisors: list[int] | None = None
        self._rules: dict[str, deadlines.SupervisionRules] = {}
        self._days_overdue: dict[tuple, int] = {}
        self._stage_times: dict[tuple, dict[int, datetime]] = {}
        self._for_deadline: dict[tuple, list[int]] = {}
        self._steps: dict[tuple[str, str], object] = {}
        self.templates = _templates()

    def step(self, deadline: Deadline):
        """The deadline's step as a message param; a batch has few different steps, and keeping
        a lazy label as a Phrase switches language off and on again."""
        key = (deadline.step, deadline.label)
        if key not in self._steps:
            self._steps[key] = phrases.kept(step_words(*key))
        return self._steps[key]

    def stage_times(self, deadline: Deadline, kind: str) -> dict[int, datetime]:
        # Many deadlines share a due date; their stage times are the same.
        key = (kind, deadline.due_on, deadline.due_at)
        if key not in self._stage_times:
            self._stage_times[key] = deadlines.stage_times(deadline, kind, self.rules(kind))
        return self._stage_times[key]

    def days_overdue(self, due_on, today) -> int:
        key = (due_on, today)
        if key not in self._days_overdue:
            self._days_overdue[key] = max(workdays.working_days_between(due_on, today), 0)
        return self._days_overdue[key]

    def rules(self, kind: str) -> deadlines.SupervisionRules:
        if kind not in self._rules:
            self._rules[kind] = deadlines.SupervisionRules.for_kind(kind)
        return self._rules[kind]

    def heads(self, department_id: int) -> list[int]:
        if self._heads is None:
            self._heads = defaultdict(list)
            for user_id, dept_id in User.objects.filter(
                groups__name=Role.DEPARTMENT_HEAD, is_active=True, department__isnull=False
            ).values_list("pk", "department_id"):
                self._heads[dept_id].append(user_id)
        return self._heads.get(department_id, [])

    def supervisors(self) -> list[int]:
        if self._supervisors is None:
            self._supervisors = list(
                User.objects.filter(groups__name=Role.SUPERVISOR, is_active=True).values_list("pk", flat=True)
            )
        return self._supervisors

    def for_deadline(self, deadline: Deadline) -> list[int]:
        key = (deadline.assignee_id, deadline.department_id)
        if key not in self._for_deadline:
            ids = [deadline.assignee_id] if deadline.assignee_id else []
            ids += self.heads(deadline.department_id) + self.supervisors()
            self._for_deadline[key] = list(dict.fromkeys(ids))
        return self._for_deadline[key]


SWEEP_FIELDS = (
    "id", "case_id", "step", "label", "department_id", "assignee_id",
    "due_on", "due_at", "stage", "next_action_at", "paused_at", "closed_at", "supervised",
)  # fmt: skip


class DueDeadline:
    """A deadline as the sweep reads it: the columns it uses, as attributes (and `pk`)."""

    __slots__ = SWEEP_FIELDS

    def __init__(self, values: tuple):
        for name, value in zip(SWEEP_FIELDS, values, strict=True):
            setattr(self, name, value)

    @property
    def pk(self) -> int:
        return self.id


def _templates() -> dict[int, tuple[str, str]]:
    """The stage messages' msgids: each notification says them in its reader's language."""
    return {
        Stage.REMINDED: (
            "Reminder: case %(number)s, %(step)s, is due on %(due)s",
            "Case %(number)s (%(step)s) must be completed by %(due)s. Please deal with it in time.",
        ),
        Stage.SUPERVISED: (
            "Supervision order: case %(number)s, %(step)s, is overdue",
            "Case %(number)s (%(step)s) was due on %(due)s and is overdue. A supervision order has been issued; "
            "the department must respond.",
        ),
        Stage.ESCALATED: (
            "District-level supervision: case %(number)s is %(days)s working days overdue",
            "Case %(number)s (%(step)s) was due on %(due)s and is %(days)s working days overdue. "
            "It is now supervised at district level.",
        ),
    }


def _reasons_in_office_language(orders: list[dict]) -> list[dict]:
    """A supervision order's reason is kept as text, in the office's language."""
    with phrases.said_in(settings.LANGUAGE_CODE):
        for order in orders:
            order["reason"] = order["reason"].render()
    return orders


def _fire_batch(batch: list[DueDeadline], now: datetime, recipients: Recipients, report: SweepReport) -> None:
    today = deadlines.office_today(now)
    case_type = ContentType.objects.get_for_model(Case)
    audit_rows, orders, outbox, told = [], [], Outbox(), []
    case_facts = {
        pk: (number, kind)
        for pk, number, kind in Case.objects.filter(pk__any={d.case_id for d in batch}).values_list(
            "pk", "number", "kind"
        )
    }
    respond_by_cache: dict[str, object] = {}
    raised: dict[int, set[int]] = defaultdict(set)  # stage reached → cases
    departments: set[int] = set()
    for deadline in batch:
        number, kind = case_facts[deadline.case_id]
        times = recipients.stage_times(deadline, kind)
        due_stages = [stage for stage, at in sorted(times.items()) if stage > deadline.stage and at <= now]
        for stage in due_stages:
            params = {
                "number": number,
                "step": recipients.step(deadline),
                "due": deadline.due_on.isoformat(),
                "days": recipients.days_overdue(deadline.due_on, today),
            }
            title, body = (Phrase(template, **params) for template in recipients.templates[stage])
            audit_rows.append(
                {
                    "subject_type_id": case_type.pk,
                    "subject_id": deadline.case_id,
                    "reference": number,
                    "event_type": STAGE_EVENT[stage].value,
                    "actor_id": None,
                    "from_state": "",
                    "to_state": "",
                    "payload": {"step": deadline.step, "due_on": deadline.due_on.isoformat(), "deadline": deadline.pk},
                    "created_at": now,
                }
            )
            if stage in STAGE_LEVEL:
                if kind not in respond_by_cache:
                    respond_by_cache[kind] = workdays.add_working_days(
                        today, policies.working_days(kind, "supervision_respond_within")
                    )
                orders.append(
                    {
                        "case_id": deadline.case_id,
                        "deadline_id": deadline.pk,
                        "department_id": deadline.department_id,
                        "level": STAGE_LEVEL[stage],
                        "reason": body,
                        "issued_by_id": None,
                        "issued_at": now,
                        "respond_by": respond_by_cache[kind],
                        "response": "",
                        "responded_by_id": None,
                        "responded_at": None,
                    }
                )
            told.append((recipients.for_deadline(deadline), STAGE_KIND[stage], title, body, deadline, stage))
            report.fired[STAGE_EVENT[stage].value] += 1
        if due_stages:
            deadline.stage = due_stages[-1]
            raised[deadline.stage].add(deadline.case_id)
            departments.add(deadline.department_id)
        deadline.next_action_at = deadlines.next_action_at(deadline, kind, times)
    events.record_many(audit_rows)
    insert_rows(SupervisionOrder, _reasons_in_office_language(orders))
    order_urls = _order_urls(orders)
    for recipient_ids, kind, title, body, deadline, stage in told:
        payload = {"deadline": deadline.pk, "stage": stage}
        url = order_urls.get((deadline.pk, STAGE_LEVEL.get(stage)))
        if url:  # a supervision order opens the order, where the department answers it
            payload["url"] = url
        outbox.add(recipient_ids, kind=kind, title=title, body=body, case=deadline.case_id, payload=payload)
    _save_stages(batch)
    _raise_case_stages(raised)
    outbox.flush()
    board_changed(departments)


def _order_urls(orders: list[dict]) -> dict[tuple, str]:
    """(deadline, level) → the page of the order the batch just wrote for it (bulk writes give no ids)."""
    if not orders:
        return {}
    order_url = url_for_each("supervision-order")
    written = (
        SupervisionOrder.objects.filter(
            deadline_id__any={order["deadline_id"] for order in orders}, issued_by__isnull=True
        )
        .order_by("pk")
        .values_list("deadline_id", "level", "pk")
    )
    # A deadline reaches each stage once: its order of a level is the latest written.
    return {(deadline_id, level): order_url(pk) for deadline_id, level, pk in written}


def _save_stages(batch: list[DueDeadline]) -> None:
    """One UPDATE per (stage, next time) pair: a batch shares few of them (times are starts of
    days), and this is far cheaper than bulk_update's per-row CASE expressions."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for deadline in batch:
        groups[(deadline.stage, deadline.next_action_at)].append(deadline.pk)
    for (stage, next_at), ids in groups.items():
        Deadline.objects.filter(pk__any=ids).update(stage=stage, next_action_at=next_at)


def _raise_case_stages(raised: dict[int, set[int]]) -> None:
    """A case's stage is the furthest of its open deadlines' (Case.supervision_stage): the sweep
    only moves stages forward, so one UPDATE per stage reached keeps it."""
    for stage, case_ids in raised.items():
        Case.objects.filter(pk__any=case_ids, supervision_stage__lt=stage).update(supervision_stage=stage)


def due_batch(now: datetime, batch_size: int, skip=()) -> list[DueDeadline]:
    """The sweep's one query: the next batch of running deadlines whose stage has come, locked,
    skipping rows another sweep holds. Only the office's deadlines: a party's own time (the
    complainant's confirmation window, Deadline.supervised False) has no stages. Read as plain
    rows (the columns the sweep uses), not model instances: building thousands of instances a
    second was a third of the sweep's time."""
    rows = (
        Deadline.objects.select_for_update(skip_locked=True, no_key=True, of=("self",))
        .filter(next_action_at__lte=now, supervised=True)
        .exclude(pk__any=skip)
        .order_by("next_action_at")
        .values_list(*SWEEP_FIELDS)[:batch_size]
    )
    return [DueDeadline(row) for row in rows]


def lag_seconds(now: datetime | None = None) -> float:
    """How late the sweep is: seconds since the oldest stage that has come was due and has not
    fired (0 when none waits). The sweep's own query (the deadline_sweep index), without locks."""
    now = now or timezone.now()
    oldest = (
        Deadline.objects.filter(next_action_at__lte=now, supervised=True)
        .order_by("next_action_at")
        .values_list("next_action_at", flat=True)
        .first()
    )
    return metrics.age_seconds(oldest, now)


def lock_cases(case_ids: set[int]) -> set[int]:
    """Lock the batch's cases (their stage is written), skipping those a service holds.

    Services lock a case and then its deadlines; the sweep holds deadlines first, so waiting
    here could deadlock. A deadline whose case is busy is left for the next sweep."""
    return set(
        Case.objects.select_for_update(skip_locked=True, no_key=True)
        .filter(pk__any=case_ids)
        .values_list("pk", flat=True)
    )


def _relax_commit_durability() -> None:
    """On PostgreSQL, don't wait for the WAL flush at each batch's commit (about a third of the
    sweep's time). A database crash can lose the last fraction of a second of batches; they are
    then simply swept again (each stage is recorded in the same transaction as its effects), at
    worst repeating a notification that was already pushed."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def sweep(now: datetime | None = None, batch_size: int = 1000) -> SweepReport:
    now = now or timezone.now()
    report = SweepReport()
    recipients = Recipients()
    busy: set[int] = set()  # deadlines whose case a service held: the next sweep takes them
    while True:
        with transaction.atomic():
            _relax_commit_durability()
            batch = due_batch(now, batch_size, skip=busy)
            if not batch:
                break
            free = lock_cases({deadline.case_id for deadline in batch})
            busy.update(deadline.pk for deadline in batch if deadline.case_id not in free)
            batch = [deadline for deadline in batch if deadline.case_id in free]
            if batch:
                _fire_batch(batch, now, recipients, report)
            report.batches += 1
    if report.total:
        logger.info("deadline sweep fired %s", dict(report.fired))
    return report
