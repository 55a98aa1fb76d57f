"""Reads that decide what a user may see. Views and the API scope their querysets here."""

import re

from django.contrib.contenttypes.models import ContentType
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.fields.json import KT

from cases.core import identity
from cases.core.event_types import EventType
from cases.core.models import AuditEvent, Case, CaseKind, CreditRecord, Deadline
from cases.core.models.org import EntityKind
from cases.core.states import RepairStatus
from cases.supervision.models import SupervisionOrder

# Most urgent first: the most overdue, then the nearest due, then cases whose clock is stopped
# or not running. Each list's index ends with (next_due_at, id) so a page is an ordered scan.
URGENCY = (F("next_due_at").asc(nulls_last=True), "id")


def can_supervise(user) -> bool:
    return user.is_authenticated and user.has_perm("cases.supervise_all_cases")


def works_department_cases(user) -> bool:
    return user.is_authenticated and user.department_id is not None and user.has_perm("cases.work_department_cases")


# What a board row shows (cases.supervision.views._board_rows): the page is asked for on every
# change of any case, and the department's and the caseworker's every column cost as much again.
BOARD_COLUMNS = (
    "number", "title", "kind", "state", "supervision_stage", "next_due_at", "department", "assignee",
    "department__name_zh", "department__name_en", "assignee__full_name", "assignee__username",
)  # fmt: skip


def board_cases(user) -> QuerySet[Case]:
    """The supervisor board: every open case of both kinds to supervisors, a department's own
    to its staff. An applicant's draft is not the office's case yet."""
    cases = (
        Case.objects.filter(closed_at__isnull=True)
        .exclude(state=RepairStatus.DRAFT)
        .select_related("department", "assignee")
        .only(*BOARD_COLUMNS)
        .order_by(*URGENCY)
    )
    if can_supervise(user):
        return cases
    if works_department_cases(user):
        return cases.filter(department_id=user.department_id)
    return cases.none()


def queue_cases(user, kind: str) -> QuerySet[Case]:
    """A work queue of one kind, most urgent first: every case to supervisors (and every
    complaint to the intake clerks), a department's own to its staff."""
    cases = Case.objects.filter(kind=kind).select_related("department", "assignee").order_by(*URGENCY)
    if can_supervise(user) or (kind == CaseKind.COMPLAINT and user.has_perm("cases.register_complaints")):
        return cases
    if works_department_cases(user):
        return cases.filter(department_id=user.department_id)
    return cases.none()


CASE_NUMBER = re.compile(r"^(XF|TS|YY)\d{6,}$")


def search_cases(cases: QuerySet[Case], query: str) -> QuerySet[Case]:
    """A whole case number finds that case through its unique index; anything else is looked
    for in the numbers and subjects of the list's cases."""
    query = (query or "").strip()
    if CASE_NUMBER.match(query.upper()):
        return cases.filter(number=query.upper())
    if query:
        return cases.filter(Q(number__icontains=query) | Q(title__icontains=query))
    return cases


def open_deadlines_by_case(case_ids) -> dict[int, list[Deadline]]:
    """The open deadlines of a page of cases, soonest first, in one query."""
    by_case: dict[int, list[Deadline]] = {case_id: [] for case_id in case_ids}
    for deadline in Deadline.objects.filter(case_id__in=by_case, closed_at__isnull=True).order_by("due_at", "id"):
        by_case[deadline.case_id].append(deadline)
    return by_case


def supervision_orders_visible_to(user) -> QuerySet[SupervisionOrder]:
    orders = SupervisionOrder.objects.select_related("case", "department", "issued_by", "responded_by")
    if can_supervise(user):
        return orders
    if works_department_cases(user):
        return orders.filter(department_id=user.department_id)
    return orders.none()


def cases_visible_to(user) -> QuerySet[Case]:
    """Supervisors see every case, intake clerks every complaint, a department's staff their
    department's cases, applicants and complainants their own."""
    cases = Case.objects.select_related("department", "assignee", "applicant")
    if not user.is_authenticated:
        return cases.none()
    if can_supervise(user):
        return cases.exclude(UNSUBMITTED_REPAIR)
    visible = _own_cases(user)
    if works_department_cases(user):
        visible |= Q(department_id=user.department_id) & ~UNSUBMITTED_REPAIR
    if user.has_perm("cases.register_complaints"):
        visible |= Q(kind="complaint")
    return cases.filter(visible)


# An application the applicant has not submitted (a draft, or one withdrawn as a draft) is theirs
# alone: no staff page or file link shows it or its materials.
UNSUBMITTED_REPAIR = Q(kind=CaseKind.REPAIR, state__in=("draft", "withdrawn"), repair__submitted_at__isnull=True)


def _own_cases(user) -> Q:
    """The cases the user filed, while they still act for the entity the case is about: an agent
    whose binding the enterprise ended no longer sees what they filed for it."""
    entity = identity.entity_of(user)
    if entity is None:
        return Q(pk__in=[])
    kind, number = entity
    about_entity = Q(repair__record__party__kind=kind, repair__record__party__id_number=number)
    about_entity |= Q(objection__record__party__kind=kind, objection__record__party__id_number=number)
    if kind == EntityKind.ENTERPRISE:
        about_entity |= Q(complaint__enterprise_uscc=number)
    return Q(applicant=user) & about_entity


def with_concerns(rows: QuerySet, case: str = "") -> QuerySet:
    """What the person who turned to the office said against it, for the department where it
    works (queue rows, task rows): `objection_reasons`, an objection's reasons against its record,
    and `dissatisfaction`, the complainant's latest reason for not being satisfied with an answer.
    `case`: the path from the rows to their case ("" for cases, "process__caseprocess__case__" for tasks)."""
    reopened = (
        AuditEvent.objects.filter(
            subject_type=ContentType.objects.get_for_model(Case),
            subject_id=OuterRef(f"{case}pk"),
            event_type=EventType.COMPLAINT_REOPEN,
        )
        .order_by("-pk")
        .values(reason=KT("payload__reason"))[:1]
    )
    return rows.annotate(objection_reasons=F(f"{case}objection__reasons"), dissatisfaction=Subquery(reopened))


def concerns_of(case: Case) -> dict:
    """The same for one case's page."""
    return with_concerns(Case.objects.filter(pk=case.pk)).values("objection_reasons", "dissatisfaction").first() or {}


def case_timeline(case: Case) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.for_subject(case).select_related("actor").order_by("created_at", "id")


def credit_records_visible_to(user) -> QuerySet[CreditRecord]:
    """Supervisors see every record, a department's staff the records their department decided,
    an applicant the records about the entity they act for."""
    records = CreditRecord.objects.select_related("party", "department")
    if not user.is_authenticated:
        return records.none()
    if can_supervise(user):
        return records
    if works_department_cases(user):
        return records.filter(department_id=user.department_id)
    entity = identity.entity_of(user)
    if entity is not None:
        return records.filter(party__kind=entity[0], party__id_number=entity[1])
    return records.none()
