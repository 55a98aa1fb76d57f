"""The checks every service runs before a write (cases/permissions.py), on real users and roles."""

import pytest
from django.contrib.auth.models import AnonymousUser

from cases.core import permissions
from cases.core.exceptions import NotPermitted
from cases.core.roles import Role
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_nobody_and_an_anonymous_visitor_are_refused():
    for actor in (None, AnonymousUser()):
        with pytest.raises(NotPermitted):
            permissions.require(actor, "cases.work_department_cases")


def test_a_signed_in_user_without_the_permission_is_refused():
    applicant = UserFactory(role=Role.APPLICANT)
    with pytest.raises(NotPermitted):
        permissions.require(applicant, "cases.work_department_cases")


def test_a_user_whose_role_grants_the_permission_passes():
    caseworker = StaffFactory(role=Role.CASEWORKER)
    assert permissions.require(caseworker, "cases.work_department_cases") is None


def test_one_roles_permission_does_not_open_anothers_door():
    caseworker = StaffFactory(role=Role.CASEWORKER)
    with pytest.raises(NotPermitted):
        permissions.require(caseworker, "cases.supervise_all_cases")


def test_an_inactive_account_is_refused_even_with_the_role():
    caseworker = StaffFactory(role=Role.CASEWORKER, is_active=False)
    with pytest.raises(NotPermitted):
        permissions.require(caseworker, "cases.work_department_cases")


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        (Role.ADMIN, True),  # manages the calendar
        (Role.SUPERVISOR, True),  # supervises every case
        (Role.CASEWORKER, False),
        (Role.DEPARTMENT_HEAD, False),
        (Role.INTAKE_CLERK, False),
        (Role.APPLICANT, False),
        (Role.AUDIT_ADMIN, False),
    ],
)
def test_calendar_warnings_are_for_who_manages_or_supervises(role, sees):
    user = UserFactory(role=role)
    assert permissions.can_see_calendar_warnings(user) is sees


def test_a_superuser_sees_calendar_warnings_and_a_visitor_does_not():
    assert permissions.can_see_calendar_warnings(UserFactory(is_superuser=True)) is True
    assert not permissions.can_see_calendar_warnings(AnonymousUser())
