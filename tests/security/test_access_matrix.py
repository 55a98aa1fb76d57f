"""Every URL, every role: each gets exactly the answer in tests/security/access_table.py.

The world (tests/security/conftest.py) is built once for the module; each request runs in a
savepoint that is rolled back, so a POST by one role does not change what the next one sees.
"""

import copy

import pytest
from django.db import transaction
from django.urls import reverse

from tests.security.access_table import LOGIN, TABLE, Row
from tests.security.conftest import ROLE_NAMES, ROLES
from tests.security.routes import NOT_IN_THE_TABLE, all_routes, routes_to_check

pytestmark = pytest.mark.django_db


def outcome(response):
    if response.status_code in (301, 302):
        location = response["Location"]
        if location.startswith((reverse("login"), reverse("admin:login"))):
            return LOGIN
    return response.status_code


def answers(row: Row, world) -> dict:
    got = {}
    for role in ROLES:
        with transaction.atomic():
            if row.prepare:
                getattr(world, row.prepare)()
            client = world.clients[role]
            cookies = copy.deepcopy(client.cookies)  # signing out (or in) must not last past the request
            got[role] = outcome(row.send(client, world))
            client.cookies = cookies
            transaction.set_rollback(True)
    return got


def test_every_url_pattern_has_a_row():
    covered = {row.route for row in TABLE}
    missing = sorted(routes_to_check() - covered)
    assert not missing, (
        "URL patterns without a row in tests/security/access_table.py (add one saying what each role gets): "
        + ", ".join(missing)
    )


def test_every_row_names_a_pattern_that_exists():
    admin_sample = {row.route for row in TABLE if row.route.startswith("admin/")}
    stale = sorted({row.route for row in TABLE} - routes_to_check() - (admin_sample & set(all_routes())))
    assert not stale, f"rows for URL patterns that no longer exist: {stale}"


def test_what_the_table_leaves_out_is_said_with_a_reason():
    assert all(reason for reason in NOT_IN_THE_TABLE.values())


@pytest.mark.parametrize("row", TABLE, ids=lambda row: f"{row.method} {row.url}")
def test_each_role_gets_exactly_its_answer(module_world, row):
    got = answers(row, module_world)
    wrong = {role: (row.expect[role], got[role]) for role in ROLES if got[role] != row.expect[role]}
    assert not wrong, f"{row.method} {row.filled_url(module_world)}: " + "; ".join(
        f"{ROLE_NAMES[role]} expected {want}, got {have}" for role, (want, have) in wrong.items()
    )
