from unittest import mock

import pytest
from django.test import Client

from cases import policies, reference_data, workdays
from cases.roles import Role
from tests.factories import ApplicantFactory, StaffFactory, UserFactory


@pytest.fixture(autouse=True, scope="session")
def _staff_sign_in_with_their_second_factor():
    """`client.force_login(user)` signs staff in as having passed the second factor, as the sign-in
    pages would (tests/second_factor.py); `force_login_password_only` stops before that step."""
    from tests.second_factor import force_login_verified

    with mock.patch.object(Client, "force_login", force_login_verified):
        yield


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    # Each test sees the Holiday table as it left it, not a year cached by an earlier test.
    workdays.clear_cache()
    policies.clear_cache()
    yield
    workdays.clear_cache()
    policies.clear_cache()


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # Rate-limit and failure counters live in the cache: each test starts with none. Only the
    # process's own local-memory cache is emptied, never a shared Redis.
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    if isinstance(caches["default"], LocMemCache):
        caches["default"].clear()


@pytest.fixture(autouse=True)
def _reference_data_after_flush(request):
    """Transactional tests empty the tables after themselves (migrations' seed data too):
    put the departments, policies and calendar back before each of them."""
    marker = request.node.get_closest_marker("django_db")
    if "transactional_db" in request.fixturenames or (marker and marker.kwargs.get("transaction")):
        request.getfixturevalue("transactional_db")
        reference_data.load_all()
        workdays.clear_cache()


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
