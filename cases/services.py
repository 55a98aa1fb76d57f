"""Every write to reference data goes through these functions: lock the row, check, change,
audit, and leave side effects to on_commit (DESIGN.md, "the one path")."""

from django.core.exceptions import ValidationError
from django.db import transaction

from cases import events, permissions, workdays
from cases.exceptions import InvalidInput, NotFound
from cases.models import Holiday, Policy


def _validation_details(exc: ValidationError) -> dict:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


@transaction.atomic
def change_policy(*, policy_id: int, actor, value) -> Policy:
    permissions.require(actor, "cases.manage_reference_data")
    try:
        policy = Policy.objects.select_for_update().get(pk=policy_id)
    except Policy.DoesNotExist as exc:
        raise NotFound() from exc
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
    holiday = Holiday.objects.select_for_update().filter(pk=holiday_id).first()
    if holiday is None:
        raise NotFound()
    events.holiday_removed_event(holiday=holiday, actor=actor)
    holiday.delete()
    transaction.on_commit(workdays.clear_cache)
