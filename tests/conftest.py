from datetime import date
from unittest import mock

import pytest
import time_machine
from django.apps import apps
from django.db.models.signals import post_migrate
from django.test import Client
from django.utils import translation

from cases.core import department_options, policies, reference_data, workdays
from cases.core.roles import Role
from tests.factories import ApplicantFactory, StaffFactory, UserFactory

# Seconds an integration or e2e test may take (the unit tests' default is in pyproject.toml).
SERVICE_TEST_TIMEOUT = 600


@pytest.fixture(autouse=True, scope="session")
def _staff_sign_in_with_their_second_factor():
    """`client.force_login(user)` signs staff in as having passed the second factor, as the sign-in
    pages would (tests/second_factor.py); `force_login_password_only` stops before that step."""
    from tests.second_factor import force_login_verified

    with mock.patch.object(Client, "force_login", force_login_verified):
        yield


@pytest.fixture(autouse=True)
def office_language():
    """Each test starts in the office's language: a page requested in English by an earlier test
    leaves English active in the thread, and texts stored then (case titles, deadline labels) would follow it."""
    translation.activate("zh-hans")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    # Each test sees the Holiday table as it left it, not a year cached by an earlier test (nor
    # another test's departments in a select).
    workdays.clear_cache()
    policies.clear_cache()
    department_options.forget()
    yield
    workdays.clear_cache()
    policies.clear_cache()
    department_options.forget()


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # Rate-limit and failure counters live in the cache: each test starts with none. Only the
    # process's own local-memory cache is emptied, never a shared Redis.
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    if isinstance(caches["default"], LocMemCache):
        caches["default"].clear()


def _reseed_reference_data(**kwargs):
    # The suite has one database (each xdist worker its own copy of it).
    reference_data.load_all()
    workdays.clear_cache()
    policies.clear_cache()


@pytest.fixture(autouse=True, scope="session")
def _reference_data_after_every_flush():
    """Transactional tests flush every table after themselves, the rows migrations seed included;
    the flush then sends post_migrate (as migrate does), on which the departments, policies and
    calendar are put back (the role groups by cases.core.roles). Every test, in any order and on any
    worker, so starts with the reference data."""
    sender = apps.get_app_config("cases")
    post_migrate.connect(_reseed_reference_data, sender=sender, dispatch_uid="tests-reference-data")
    yield
    post_migrate.disconnect(sender=sender, dispatch_uid="tests-reference-data")


@pytest.fixture
def on_16_november():
    """The clock runs from Monday 16 November 2026, a working day (pytest.mark.usefixtures)."""
    with time_machine.travel(date(2026, 11, 16)):
        yield


@pytest.fixture
def applicant(db):
    return ApplicantFactory()


@pytest.fixture
def caseworker(db):
    return StaffFactory()


@pytest.fixture
def supervisor(db):
    return StaffFactory(department__code="yshj", role=Role.SUPERVISOR)


@pytest.fixture
def admin_user(db):
    return UserFactory(role=Role.ADMIN)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    # Everything under tests/integration/ is an integration test, marked or not, so that
    # `-m "not integration"` never runs it against the embedded stack.
    for item in items:
        if "integration" in item.path.parts:
            item.add_marker(pytest.mark.integration)
        # They start servers, workers and browsers: more time than a unit test's default.
        if ("integration" in item.path.parts or "e2e" in item.path.parts) and not item.get_closest_marker("timeout"):
            item.add_marker(pytest.mark.timeout(SERVICE_TEST_TIMEOUT))
