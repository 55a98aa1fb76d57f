"""The deadline sweep: every minute, one indexed query finds the deadlines whose next supervision
stage has come; they are processed in locked batches (FOR UPDATE SKIP LOCKED, so sweeps running
at once never take the same row) and each stage fires exactly once: an audit event, a supervision
order where the stage has one, and notifications to the assignee, the department head and the
supervisors, all written in bulk in the batch's transaction."""

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import deadlines, policies, workdays
from cases.models import AuditEvent, Case, Deadline, Stage, SupervisionLevel, SupervisionOrder, User
from cases.roles import Role
from notifications.services import Outbox

logger = logging.getLogger(__name__)

STAGE_EVENT = {
    Stage.REMINDED: "deadline.reminded",
    Stage.SUPERVISED: "deadline.supervised",
    Stage.ESCALATED: "deadline.escalated",
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
    """Department heads and supervisors, looked up once per sweep."""

    def __init__(self):
        self._heads: dict[int, list[int]] | None = None
        self._supervisors: list[int] | None = None

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
        ids = [deadline.assignee_id] if deadline.assignee_id else []
        ids += self.heads(deadline.department_id) + self.supervisors()
        return list(dict.fromkeys(ids))


def _message(stage: int, deadline: Deadline, today) -> tuple[str, str]:
    params = {"number": deadline.case.number, "step": deadline.label, "due": deadline.due_on.strftime("%Y-%m-%d")}
    if stage == Stage.REMINDED:
        return (
            _("Reminder: case %(number)s, %(step)s, is due on %(due)s") % params,
            _("Case %(number)s (%(step)s) must be completed by %(due)s. Please deal with it in time.") % params,
        )
    params["days"] = deadlines.working_days_overdue(deadline, today)
    if stage == Stage.SUPERVISED:
        return (
            _("Supervision order: case %(number)s, %(step)s, is overdue") % params,
            _(
                "Case %(number)s (%(step)s) was due on %(due)s and is overdue. A supervision order has been issued; "
                "the department must respond."
            )
            % params,
        )
    return (
        _("District-level supervision: case %(number)s is %(days)s working days overdue") % params,
        _(
            "Case %(number)s (%(step)s) was due on %(due)s and is %(days)s working days overdue. "
            "It is now supervised at district level."
        )
        % params,
    )


def _fire_batch(batch: list[Deadline], now: datetime, recipients: Recipients, report: SweepReport) -> None:
    today = timezone.localdate(now)
    case_type = ContentType.objects.get_for_model(Case)
    events, orders, outbox = [], [], Outbox()
    respond_by_cache: dict[str, object] = {}
    for deadline in batch:
        kind = deadline.case.kind
        times = deadlines.stage_times(deadline, kind)
        due_stages = [stage for stage, at in sorted(times.items()) if stage > deadline.stage and at <= now]
        for stage in due_stages:
            title, body = _message(stage, deadline, today)
            events.append(
                AuditEvent(
                    subject_type=case_type,
                    subject_id=deadline.case_id,
                    reference=deadline.case.number,
                    event_type=STAGE_EVENT[stage],
                    payload={"step": deadline.step, "due_on": deadline.due_on.isoformat(), "deadline": deadline.pk},
                )
            )
            if stage in STAGE_LEVEL:
                if kind not in respond_by_cache:
                    respond_by_cache[kind] = workdays.add_working_days(
                        today, policies.working_days(kind, "supervision_respond_within")
                    )
                orders.append(
                    SupervisionOrder(
                        case_id=deadline.case_id,
                        deadline=deadline,
                        department_id=deadline.department_id,
                        level=STAGE_LEVEL[stage],
                        reason=body,
                        respond_by=respond_by_cache[kind],
                    )
                )
            outbox.add(
                recipients.for_deadline(deadline),
                kind=STAGE_KIND[stage],
                title=title,
                body=body,
                case=deadline.case,
                payload={"deadline": deadline.pk, "stage": stage},
            )
            report.fired[STAGE_EVENT[stage]] += 1
        if due_stages:
            deadline.stage = due_stages[-1]
        deadline.next_action_at = deadlines.next_action_at(deadline, kind, times)
    AuditEvent.objects.bulk_create(events, batch_size=1000)
    SupervisionOrder.objects.bulk_create(orders, batch_size=1000)
    Deadline.objects.bulk_update(batch, ["stage", "next_action_at"], batch_size=1000)
    outbox.flush()


def sweep(now: datetime | None = None, batch_size: int = 1000) -> SweepReport:
    now = now or timezone.now()
    report = SweepReport()
    recipients = Recipients()
    while True:
        with transaction.atomic():
            batch = list(
                Deadline.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("case")
                .filter(next_action_at__lte=now)
                .order_by("next_action_at")[:batch_size]
            )
            if not batch:
                break
            _fire_batch(batch, now, recipients, report)
            report.batches += 1
    if report.total:
        logger.info("deadline sweep fired %s", dict(report.fired))
    return report
