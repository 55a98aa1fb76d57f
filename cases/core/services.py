"""Every write goes through these functions: lock the row, check, change,
audit, and leave side effects to on_commit (docs/architecture.md, "The one path for writes")."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.core import deadlines, events, permissions, policies, scaffold, transitions, workdays
from cases.core.event_types import EventType
from cases.core.exceptions import Conflict, IllegalTransition, InvalidInput, NotPermitted
from cases.core.models import (
    Case,
    CaseCounter,
    Deadline,
    Holiday,
    Policy,
    Stage,
    User,
)
from cases.core.models.case import CASE_NUMBER_PREFIX
from cases.core.roles import Role


def _validation_details(exc: ValidationError) -> dict:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


@transaction.atomic
def change_policy(*, policy_id: int, actor, value) -> Policy:
    permissions.require(actor, "cases.manage_reference_data")
    policy = scaffold.locked(Policy, policy_id)
    old_value = policy.value
    policy.value = value
    try:
        policy.full_clean()
    except ValidationError as exc:
        raise InvalidInput(details=_validation_details(exc)) from exc
    if old_value == value:
        return policy
    policy.save()
    events.policy_changed_event(policy=policy, actor=actor, old_value=old_value)
    policies.clear_cache()
    transaction.on_commit(policies.clear_cache)
    return policy


@transaction.atomic
def save_holiday(*, actor, day, is_working_day: bool, name: str) -> Holiday:
    """Add or correct one day of the official calendar (e.g. next year's State Council schedule)."""
    permissions.require(actor, "cases.manage_reference_data")
    holiday = Holiday.objects.select_for_update().filter(date=day).first()
    old = {"is_working_day": holiday.is_working_day, "name": holiday.name} if holiday else None
    holiday = holiday or Holiday(date=day)
    holiday.is_working_day = is_working_day
    holiday.name = name
    try:
        holiday.full_clean()
    except ValidationError as exc:
        raise InvalidInput(details=_validation_details(exc)) from exc
    holiday.save()
    events.holiday_saved_event(holiday=holiday, actor=actor, old=old)
    transaction.on_commit(workdays.clear_cache)
    return holiday


@transaction.atomic
def remove_holiday(*, actor, holiday_id: int) -> None:
    permissions.require(actor, "cases.manage_reference_data")
    holiday = scaffold.locked(Holiday, holiday_id)
    events.holiday_removed_event(holiday=holiday, actor=actor)
    holiday.delete()
    transaction.on_commit(workdays.clear_cache)


# --- cases, deadlines and supervision ------------------------------------------------------


def next_case_numbers(kind: str, count: int) -> list[str]:
    """`count` consecutive case numbers of this year, taken under the counter's row lock."""
    year = timezone.localdate().year
    counter, _created = CaseCounter.objects.select_for_update().get_or_create(kind=kind, year=year)
    first = counter.last + 1
    counter.last += count
    counter.save(update_fields=["last"])
    return [f"{CASE_NUMBER_PREFIX[kind]}{year}{n:06d}" for n in range(first, counter.last + 1)]


def _next_case_number(kind: str) -> str:
    return next_case_numbers(kind, 1)[0]


@transaction.atomic
def open_case(*, kind: str, title: str, actor, applicant=None, department=None, state: str) -> Case:
    """Give a new case its number and verification code. Called by the workflows' intake services."""
    case = Case.objects.create(
        number=_next_case_number(kind),
        kind=kind,
        title=title,
        applicant=applicant,
        department=department,
        state=state,
    )
    transitions.after_event(case, events.case_opened_event(case=case, actor=actor))
    return case


def start_deadline(
    *,
    case: Case,
    step: str,
    label: str,
    policy_key: str,
    department=None,
    assignee=None,
    start=None,
    working_days: int | None = None,
    supervised: bool = True,
) -> Deadline:
    """Watch a step of `case` for `policy_key` working days (or `working_days` set on the case, as
    an answer's rectification period). Runs inside the caller's transaction. `supervised=False`:
    a party's own time, watched but never supervised against the department (Deadline.supervised)."""
    deadline = deadlines.build(
        case=case,
        step=step,
        label=label,
        department=department or case.department,
        assignee=assignee or case.assignee,
        working_days=working_days if working_days is not None else policies.working_days(case.kind, policy_key),
        start=start,
        supervised=supervised,
    )
    deadline.save()
    refresh_case_deadlines(case)
    transitions.after_event(case, events.deadline_started_event(deadline=deadline))
    return deadline


def start_deadline_on(*, case: Case, step: str, label: str, due_on, department=None) -> Deadline:
    """Watch a step that falls due on a fixed date (an instalment of a repayment plan)."""
    today = deadlines.office_today()
    deadline = Deadline(
        case=case, step=step, label=label, department=department or case.department, assignee=case.assignee,
        working_days=max(workdays.working_days_between(today, due_on), 0), started_on=today, due_on=due_on,
        due_at=deadlines.start_of_day(due_on + timedelta(days=1)),
    )  # fmt: skip
    deadline.next_action_at = deadlines.next_action_at(deadline, case.kind)
    deadline.save()
    refresh_case_deadlines(case)
    transitions.after_event(case, events.deadline_started_event(deadline=deadline))
    return deadline


def refresh_case_deadlines(case: Case) -> None:
    """Keep on the case what the board and the queues sort and filter by (Case.next_due_at,
    Case.supervision_stage). Called by each deadline write above, in its transaction."""
    summary = Deadline.objects.filter(case_id=case.pk, closed_at__isnull=True, supervised=True).aggregate(
        next_due_at=Min("due_at", filter=Q(paused_at__isnull=True)), stage=Max("stage")
    )
    case.next_due_at = summary["next_due_at"]
    case.supervision_stage = summary["stage"] or Stage.WATCHED
    Case.objects.filter(pk=case.pk).update(next_due_at=case.next_due_at, supervision_stage=case.supervision_stage)


def copy_complaint_facts(complaint) -> None:
    """Keep on the case the complaint facts the board filters by (Case.complaint_subject,
    Case.complaint_channel). Called wherever a complaint is filed or its subject set."""
    case = complaint.case
    case.complaint_subject, case.complaint_channel_id = complaint.subject, complaint.channel_id
    Case.objects.filter(pk=case.pk).update(complaint_subject=complaint.subject, complaint_channel=complaint.channel_id)


def _open_deadline(case: Case, step: str) -> Deadline:
    deadline = Deadline.objects.select_for_update().filter(case=case, step=step, closed_at__isnull=True).first()
    if deadline is None:
        raise IllegalTransition()
    return deadline


def pause_deadline(*, case: Case, step: str, actor=None) -> Deadline:
    deadline = _open_deadline(case, step)
    if deadline.is_paused:
        raise IllegalTransition()
    deadlines.pause(deadline, timezone.now())
    deadline.save(update_fields=["paused_at", "remaining_working_days", "next_action_at"])
    refresh_case_deadlines(case)
    transitions.after_event(case, events.deadline_paused_event(deadline=deadline, actor=actor))
    return deadline


def resume_deadline(*, case: Case, step: str, actor=None, working_days: int | None = None) -> Deadline:
    """Start a stopped clock again: with the working days that were left, or `working_days` in
    full (the time starts again, as after a one-time notice where the policy says restart)."""
    deadline = _open_deadline(case, step)
    if not deadline.is_paused:
        raise IllegalTransition()
    if working_days is not None:
        deadline.remaining_working_days = working_days
        deadline.working_days = working_days
    deadlines.resume(deadline, case.kind, timezone.now())
    deadline.save()
    refresh_case_deadlines(case)
    transitions.after_event(case, events.deadline_resumed_event(deadline=deadline, actor=actor))
    return deadline


def extend_deadline(*, case: Case, step: str, working_days: int, actor=None, reason: str = "") -> Deadline:
    """Push a running deadline back by `working_days`; its reminders start over for the new date."""
    deadline = _open_deadline(case, step)
    deadline.working_days += working_days
    deadline.due_on = workdays.add_working_days(deadline.due_on, working_days)
    deadline.due_at = deadlines.start_of_day(deadline.due_on + timedelta(days=1))
    deadline.stage = Stage.WATCHED
    deadline.next_action_at = deadlines.next_action_at(deadline, case.kind)
    deadline.save(update_fields=["working_days", "due_on", "due_at", "stage", "next_action_at"])
    refresh_case_deadlines(case)
    transitions.record(case, EventType.DEADLINE_EXTENDED, actor=actor, step=step,
                       due_on=deadline.due_on.isoformat(), reason=reason)  # fmt: skip
    return deadline


def close_deadline(*, case: Case, step: str, actor=None) -> Deadline:
    deadline = _open_deadline(case, step)
    deadline.closed_at = timezone.now()
    deadline.next_action_at = None
    deadline.save(update_fields=["closed_at", "next_action_at"])
    refresh_case_deadlines(case)
    transitions.after_event(case, events.deadline_closed_event(deadline=deadline, actor=actor))
    return deadline


def close_open_deadlines(*, case: Case, actor=None) -> None:
    """Close every running deadline of a case that has ended (refused, withdrawn, merged, …)."""
    for step in case.deadlines.filter(closed_at__isnull=True).values_list("step", flat=True):
        close_deadline(case=case, step=step, actor=actor)


def users_with_role(role: str, department_id=None) -> list[int]:
    users = User.objects.filter(groups__name=role, is_active=True)
    if department_id is not None:
        users = users.filter(department_id=department_id)
    return list(users.values_list("pk", flat=True))


def department_recipients(department_id: int, assignee_id=None) -> list[int]:
    heads = list(
        User.objects.filter(department_id=department_id, groups__name=Role.DEPARTMENT_HEAD, is_active=True).values_list(
            "pk", flat=True
        )
    )
    return [assignee_id, *heads] if assignee_id else heads


# --- claiming work ----------------------------------------------------------------------------


def ensure_claimed_by(case: Case, actor) -> None:
    """A caseworker works a case they hold; an unclaimed case becomes theirs on the first step.
    Runs inside the caller's transaction, on a locked case."""
    if case.assignee_id is None:
        case.assignee = actor
        case.save(update_fields=["assignee"])
        case.deadlines.filter(closed_at__isnull=True).update(assignee=actor)
        transitions.record(case, EventType.CASE_CLAIMED, actor=actor)
    elif case.assignee_id != actor.pk:
        raise Conflict(_("%(name)s is working on this case.") % {"name": case.assignee})


@transaction.atomic
def claim_case(*, case_id: int, actor) -> Case:
    case = scaffold.locked_department_case(case_id, actor)
    ensure_claimed_by(case, actor)
    return case


@transaction.atomic
def release_case(*, case_id: int, actor) -> Case:
    """Give a case back to the department's queue (its holder or the department head)."""
    case = scaffold.locked_department_case(case_id, actor)
    if case.assignee_id is None:
        return case
    if case.assignee_id != actor.pk and not actor.has_perm("cases.approve_department_decisions"):
        raise NotPermitted()
    case.assignee = None
    case.save(update_fields=["assignee"])
    case.deadlines.filter(closed_at__isnull=True).update(assignee=None)
    transitions.record(case, EventType.CASE_RELEASED, actor=actor)
    return case


def department_workers(department_id: int):
    """The active people of a department who work its cases (a head hands a case to one of them)."""
    return (
        User.objects.filter(department_id=department_id, is_active=True)
        .filter(
            Q(groups__permissions__codename="work_department_cases")
            | Q(user_permissions__codename="work_department_cases")
        )
        .distinct()
        .order_by("full_name", "username")
    )


@transaction.atomic
def hand_case(*, case_id: int, actor, assignee_id: int) -> Case:
    """The department head gives an open case of the department to one of its people (交办到人),
    whoever held it before; the case's task and open deadlines follow."""
    case = scaffold.locked_department_case(case_id, actor, permission="cases.approve_department_decisions")
    if case.closed_at is not None:
        raise IllegalTransition(_("The case is closed."))
    assignee = department_workers(case.department_id).filter(pk=assignee_id).first()
    if assignee is None:
        raise InvalidInput(details={"assignee": [_("Choose a person of the department.")]})
    if case.assignee_id == assignee.pk:
        return case
    case.assignee = assignee
    case.save(update_fields=["assignee"])
    case.deadlines.filter(closed_at__isnull=True).update(assignee=assignee)
    transitions.record(case, EventType.CASE_HANDED, actor=actor, assignee=assignee.pk)
    return case
