"""Every action, every role not allowed to take it: the service refuses with its typed domain error
and nothing changes. One allowed role per action succeeds from the same state, so the refusals
come from the permission check and not from the state machine. The rows are in
tests/security/action_table.py; a service function with an `actor` and no row fails the suite.

The world (tests/security/conftest.py) is built once for the module; each test runs in a
savepoint that is rolled back.
"""

import inspect

import pytest
from django.contrib.auth.models import Group
from django.db import transaction

from cases.complaints.models import ArrearsPayment, Complaint, Instalment
from cases.core.exceptions import DomainError
from cases.core.models import (
    AuditEvent,
    Case,
    CreditRecord,
    Deadline,
    Holiday,
    IdentityBinding,
    Notice,
    Policy,
    ReplyPhrase,
    SavedFilter,
    User,
)
from cases.repair.models import Material, NationalSync, RepairApplication
from cases.supervision.models import SupervisionOrder
from notifications.models import Notification
from tests.security.action_table import ACTION_ROLE_NAMES as ROLE_NAMES
from tests.security.action_table import NOT_ACTIONS, SERVICE_MODULES, TABLE, Action, actor_of

pytestmark = pytest.mark.django_db

# What an action could change, read as plain values: equal before and after means nothing changed.
WATCHED = {
    Case: ("state", "department_id", "assignee_id", "closed_at"),
    RepairApplication: ("obligations_fulfilled", "commitment_signed", "proposed_approval", "decided_at",
                        "extended_at", "refusal_reason", "revocation_reason", "missing_items"),
    Complaint: ("subject", "respondent", "finding", "answer", "typical", "amount_confirmed", "plan_agreed_at",
                "satisfied", "reopen_count", "extensions_granted", "merged_into_id"),
    CreditRecord: ("status",),
    Deadline: ("due_at", "closed_at", "assignee_id"),
    SupervisionOrder: ("responded_at",),
    IdentityBinding: ("revoked_at",),
    Policy: ("value",),
    Holiday: ("date", "name", "is_working_day"),
    User: ("is_active", "is_staff"),
    Group.user_set.through: ("group_id", "user_id"),
    Material: ("code",),
    Notice: ("kind",),
    ArrearsPayment: ("amount",),
    Instalment: ("amount",),
    NationalSync: ("action",),
    Notification: ("kind",),
    AuditEvent: ("event_type",),
    SavedFilter: ("name", "query", "is_default"),
    ReplyPhrase: ("title", "text"),
}  # fmt: skip


def snapshot() -> dict:
    return {model.__name__: list(model.objects.order_by("pk").values_list("pk", *columns))
            for model, columns in WATCHED.items()}  # fmt: skip


def _service_functions():
    for module in SERVICE_MODULES:
        for name, function in inspect.getmembers(module, inspect.isfunction):
            # x_NAME__mutmut_N: the copies of each function that mutmut adds to a module it mutates.
            if name.startswith("_") or "__mutmut_" in name or function.__module__ != module.__name__:
                continue
            if "actor" in inspect.signature(function).parameters:
                yield f"{module.__name__}.{name}", function


def test_every_service_function_with_an_actor_has_a_row():
    rows = {action.name for action in TABLE}
    missing = sorted(name for name, _function in _service_functions() if name not in rows | set(NOT_ACTIONS))
    assert not missing, (
        "service functions taking an actor without a row in tests/security/action_table.py (say which roles "
        "may take the action): " + ", ".join(missing)
    )


def test_each_action_has_one_row_and_what_is_left_out_says_why():
    names = [action.name for action in TABLE]
    assert len(names) == len(set(names))
    functions = dict(_service_functions())
    assert not set(names) & set(NOT_ACTIONS)
    assert set(NOT_ACTIONS) <= set(functions), "NOT_ACTIONS names a function that no longer exists"
    assert all(NOT_ACTIONS.values())


def test_every_action_refuses_someone_and_allows_someone():
    assert all(action.allowed and action.refused_roles for action in TABLE)


REFUSALS = [(action, role) for action in TABLE for role in action.refused_roles]


@pytest.mark.parametrize(
    ("action", "role"), REFUSALS, ids=[f"{action.function.__name__}-{role}" for action, role in REFUSALS]
)
def test_a_role_not_allowed_is_refused_and_nothing_changes(module_world, action: Action, role: str):
    world = module_world
    with transaction.atomic():
        prepared = action.prepare(world)
        before = snapshot()
        with pytest.raises(DomainError) as refused, transaction.atomic():
            action.call(world, actor_of(world, role), prepared)
        expected = action.refusal_for(role)
        assert type(refused.value) is expected, (
            f"{action.name} by the {ROLE_NAMES[role]}: expected {expected.__name__}, "
            f"got {type(refused.value).__name__}: {refused.value}"
        )
        assert snapshot() == before, f"{action.name} by the {ROLE_NAMES[role]} was refused but changed data"
        transaction.set_rollback(True)


ALLOWED = [(action, role) for action in TABLE for role in sorted(action.allowed)]


@pytest.mark.parametrize(
    ("action", "role"), ALLOWED, ids=[f"{action.function.__name__}-{role}" for action, role in ALLOWED]
)
def test_a_role_allowed_takes_the_action(module_world, action: Action, role: str):
    world = module_world
    with transaction.atomic():
        prepared = action.prepare(world)
        events_before = AuditEvent.objects.count()
        action.call(world, actor_of(world, role), prepared)
        assert AuditEvent.objects.count() > events_before, f"{action.name} by the {ROLE_NAMES[role]} left no trace"
        transaction.set_rollback(True)
