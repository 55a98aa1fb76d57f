"""Opening complaint cases from work orders, many in one transaction.

The intake API keeps each work order the moment it arrives (complaint_intake.accept) and answers
202; the intake worker then opens the cases of the waiting orders here, a batch at a time. The
portal and counter forms open theirs here too, one at a time, so there is one way a complaint
case comes to be: its number, its registration deadline, its audit events, its process and the
clerks' notifications.

A batch writes each kind of row in one statement. That is what lets a burst of work orders from
the 12345 hotline cost a few statements per batch instead of some thirty per complaint.
"""

import logging
import time
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from cases.complaints.models import Complaint, WorkOrder
from cases.core import deadlines, events, identity, policies, services, transitions
from cases.core.event_types import DeadlineStep, EventType
from cases.core.models import Case, CaseKind, Deadline, Department, User
from cases.core.roles import Role
from cases.core.states import ComplaintStatus
from cases.infra import metrics, outbox
from notifications.phrases import Named, Phrase
from notifications.services import Outbox

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
REGISTER = DeadlineStep.COMPLAINT_REGISTER
# Set while an intake worker is opening cases, so that a burst of work orders queues one task.
WORKER_SCHEDULED_KEY = "complaint-intake:worker-scheduled"
WORKER_SCHEDULED_SECONDS = 60


def _title(subject_name: str, respondent: str) -> str:
    """The case's title, cut to the column (a respondent may take all of its own 200 characters)."""
    text = f"{subject_name}：{respondent}"
    limit = Case._meta.get_field("title").max_length
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _complainants(orders: list[WorkOrder]) -> dict[int, User | None]:
    """Who follows each complaint: the portal user who filed it, or else the enterprise's own
    portal account if it has one (it then tracks and confirms the complaint)."""
    ids = {o.payload.get("complainant_id") for o in orders} - {None}
    usccs = {o.payload["enterprise_uscc"] for o in orders if not o.payload.get("complainant_id")}
    # Matched by USCC only through a verified binding: an account that merely typed the code
    # at sign-up is not the enterprise.
    representative = identity.enterprise_representatives(usccs) if usccs else {}
    by_id = User.objects.in_bulk(ids | set(representative.values()))
    return {
        o.pk: by_id.get(o.payload["complainant_id"]) if o.payload.get("complainant_id")
        else by_id.get(representative.get(o.payload["enterprise_uscc"]))
        for o in orders
    }  # fmt: skip


def _amount(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(value)


def open_complaints(orders: list[WorkOrder]) -> list[Complaint]:
    """Open the complaint case of each work order, in the caller's transaction."""
    if not orders:
        return []
    intake_unit = Department.objects.filter(is_supervising_unit=True).first()
    subjects = {item["code"]: item["name"] for item in policies.choices("complaint", "subjects")}
    complainants = _complainants(orders)
    numbers = services.next_case_numbers(CaseKind.COMPLAINT, len(orders))
    cases = [
        Case(
            number=number,
            kind=CaseKind.COMPLAINT,
            title=_title(subjects.get(o.payload["subject"], o.payload["subject"]), o.payload["respondent"]),
            state=ComplaintStatus.RECEIVED,
            applicant=complainants[o.pk],
            department=intake_unit,
            complaint_subject=o.payload["subject"],
            complaint_channel_id=o.channel_id,
        )
        for number, o in zip(numbers, orders, strict=True)
    ]
    # Every case of the batch starts the same clock on the same day: its due times are one sum.
    registration = None
    if intake_unit is not None:
        registration = deadlines.build(
            case=cases[0], step=REGISTER, label=_("Registration"), department=intake_unit,
            working_days=policies.working_days(CaseKind.COMPLAINT, "register_within"),
        )  # fmt: skip
        for case in cases:
            case.next_due_at = registration.due_at
    Case.objects.bulk_create(cases)
    complaints = Complaint.objects.bulk_create(
        [
            Complaint(
                case=case,
                channel_id=o.channel_id,
                channel_reference=o.reference,
                complainant=complainants[o.pk],
                complainant_name=o.payload["complainant_name"],
                complainant_phone=o.payload.get("complainant_phone", ""),
                complainant_email=o.payload.get("complainant_email", ""),
                enterprise_name=o.payload["enterprise_name"],
                enterprise_uscc=o.payload["enterprise_uscc"],
                respondent=o.payload["respondent"],
                subject=o.payload["subject"],
                facts=o.payload["facts"],
                amount_claimed=_amount(o.payload.get("amount_claimed")),
                received_at=o.received_at,
            )
            for case, o in zip(cases, orders, strict=True)
        ]
    )
    watched = []
    if registration is not None:
        watched = Deadline.objects.bulk_create(
            [
                Deadline(
                    case=case,
                    step=REGISTER,
                    label=registration.label,
                    department=intake_unit,
                    working_days=registration.working_days,
                    started_on=registration.started_on,
                    due_on=registration.due_on,
                    due_at=registration.due_at,
                    next_action_at=registration.next_action_at,
                )
                for case in cases
            ]
        )
    entries = []
    for index, (case, o) in enumerate(zip(cases, orders, strict=True)):
        entries.append((case, EventType.CASE_OPENED, complainants[o.pk], events.opened_event_payload(case)))
        entries.append((case, EventType.COMPLAINT_RECEIVED, None,
                        {"channel": o.channel.code, "channel_reference": o.reference}))  # fmt: skip
        if watched:
            entries.append((case, EventType.DEADLINE_STARTED, None, events.deadline_payload(watched[index])))
    events.opened_cases_events(entries)
    _tell_clerks(cases, orders)
    transitions.after_cases_opened(cases, [intake_unit.pk] if intake_unit else [])
    for order, complaint in zip(orders, complaints, strict=True):
        order.complaint = complaint
    # Each order finds its complaint by (channel, reference), unique on both: one plain UPDATE
    # where bulk_update would write a CASE of 200 branches (a sixth of the worker's time).
    WorkOrder.objects.filter(pk__any=[o.pk for o in orders]).update(
        complaint=Subquery(
            Complaint.objects.filter(channel=OuterRef("channel"), channel_reference=OuterRef("reference")).values("pk")
        )
    )
    return complaints


def _tell_clerks(cases: list[Case], orders: list[WorkOrder]) -> None:
    clerks = list(User.objects.filter(groups__name=Role.INTAKE_CLERK, is_active=True).values_list("pk", flat=True))
    if not clerks:
        return
    outbox = Outbox()
    for case, order in zip(cases, orders, strict=True):
        outbox.add(
            clerks,
            kind="complaint.received",
            title=Phrase(
                "New complaint %(number)s from %(channel)s",
                number=case.number,
                channel=Named(order.channel.name, order.channel.name_en),
            ),
            body=case.title,
            case=case,
        )
    outbox.flush()


def _waiting():
    return WorkOrder.objects.filter(complaint__isnull=True, failure="")


def waiting_count() -> int:
    """Work orders kept but not yet opened as cases (/metrics; the work_order_waiting index)."""
    return _waiting().count()


def oldest_waiting_age() -> float:
    """Seconds since the oldest waiting work order arrived (0: none waits)."""
    return metrics.age_seconds(_waiting().order_by("pk").values_list("received_at", flat=True).first())


@transaction.atomic
def open_waiting(batch_size: int = BATCH_SIZE) -> int:
    """Open the cases of up to `batch_size` waiting work orders; returns how many were taken.
    Several workers may run this at once: each takes orders no other has locked."""
    # Only the orders are locked (of=self): a lock on their channel's row would hold up every
    # new work order's INSERT (its foreign-key check) until this batch commits.
    taking = _waiting().select_for_update(skip_locked=True, of=("self",)).select_related("channel")
    orders = list(taking.order_by("pk")[:batch_size])
    if not orders:
        return 0
    try:
        with transaction.atomic():
            open_complaints(orders)
        return len(orders)
    except Exception:
        logger.exception("a batch of work orders failed; opening them one at a time")
    # One order that cannot be opened must not hold up the others: it keeps its reason.
    for order in orders:
        try:
            with transaction.atomic():
                open_complaints([order])
        except Exception as exc:
            logger.exception("work order could not be opened", extra={"work_order": order.pk})
            order.failure = f"{type(exc).__name__}: {exc}"[:2000]
            order.save(update_fields=["failure"])
    return len(orders)


def open_all_waiting() -> int:
    """What the intake worker runs: open cases until no work order waits. During a burst it lets
    orders gather for a moment after a batch that was not full, so that batches stay large."""
    opened = 0
    while taken := open_waiting():
        opened += taken
        if taken < BATCH_SIZE:
            time.sleep(settings.INTAKE_GATHER_SECONDS)
    # From here on a new work order schedules a new run; orders that came in while the flag was
    # still set are taken by this last round.
    cache.delete(WORKER_SCHEDULED_KEY)
    while taken := open_waiting():
        opened += taken
    return opened


def schedule_worker() -> None:
    """After a work order commits: make sure an intake worker is opening cases. One queued task
    is enough for a burst; if the cache or the broker is down, the minute's beat run takes them."""
    try:
        if not cache.add(WORKER_SCHEDULED_KEY, 1, timeout=WORKER_SCHEDULED_SECONDS):
            return
    except Exception:
        logger.warning("cache unavailable: queuing an intake run anyway", exc_info=True)
    queue_worker()


def worker_flag_key() -> str:
    """The flag's key in Redis, as the cache writes it (for the intake's asyncio client)."""
    return cache.make_and_validate_key(WORKER_SCHEDULED_KEY)


# The task keeps its name from before the sub-apps: a message already queued names it.
OPEN_WORK_ORDERS_TASK = "cases.tasks.open_work_orders"


def queue_worker() -> None:
    """Wake the intake worker, by task name (services do not import `tasks` modules)."""
    if not outbox.queue_task(OPEN_WORK_ORDERS_TASK):
        logger.warning("broker unavailable: the work order waits for the beat run")
