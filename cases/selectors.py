"""Reads that decide what a user may see. Views and the API scope their querysets here."""

from django.db.models import Q, QuerySet

from cases.models import AuditEvent, Case, CreditRecord, Deadline, SupervisionOrder


def can_supervise(user) -> bool:
    return user.is_authenticated and user.has_perm("cases.supervise_all_cases")


def works_department_cases(user) -> bool:
    return user.is_authenticated and user.department_id is not None and user.has_perm("cases.work_department_cases")


def open_deadlines_visible_to(user) -> QuerySet[Deadline]:
    deadlines = Deadline.objects.filter(closed_at__isnull=True).select_related("case", "department", "assignee")
    if can_supervise(user):
        return deadlines
    if works_department_cases(user):
        return deadlines.filter(department_id=user.department_id)
    return deadlines.none()


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
        return cases
    visible = Q(applicant=user)
    if works_department_cases(user):
        visible |= Q(department_id=user.department_id)
    if user.has_perm("cases.register_complaints"):
        visible |= Q(kind="complaint")
    return cases.filter(visible)


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
    if user.entity_kind and user.id_number:
        return records.filter(party__kind=user.entity_kind, party__id_number=user.id_number)
    return records.none()
