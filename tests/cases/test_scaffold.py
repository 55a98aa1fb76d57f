"""The service scaffold: the row lock and the checks every write service runs before it changes
anything, each refusal with the error the services answered with before they shared it."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone

from cases.core import scaffold
from cases.core.exceptions import NotFound, NotPermitted
from cases.core.models import Case, IdentityBinding
from cases.core.roles import Role
from cases.repair.models import RepairApplication
from tests.factories import ApplicantFactory, CaseFactory, DepartmentFactory, StaffFactory, register_penalty

pytestmark = pytest.mark.django_db

MISSING = 987654


@pytest.fixture
def case(db):
    return CaseFactory(kind="repair", state="submitted")


@pytest.fixture
def worker(db):
    return StaffFactory(username="worker")


@pytest.fixture
def stranger(db):
    """A caseworker of another department."""
    return StaffFactory(username="stranger", department=DepartmentFactory(code="fgj"))


# --- locked ---------------------------------------------------------------------------------------


@transaction.atomic
def test_a_locked_row_is_the_row_asked_for(case):
    assert scaffold.locked(Case, case.pk) == case


@transaction.atomic
def test_a_row_that_is_not_there_is_not_found(case):
    with pytest.raises(NotFound):
        scaffold.locked(Case, MISSING)


@transaction.atomic
def test_a_row_outside_the_queryset_is_not_found(case):
    with pytest.raises(NotFound):
        scaffold.locked(Case.objects.filter(closed_at__isnull=False), case.pk)


@transaction.atomic
def test_a_locked_row_comes_with_the_related_rows_its_caller_reads(django_assert_num_queries):
    applicant = ApplicantFactory(username="applicant")
    binding = IdentityBinding.objects.get(user=applicant)
    with django_assert_num_queries(1):
        locked = scaffold.locked(IdentityBinding, binding.pk, related=("user",))
        assert locked.user.username == "applicant"


@transaction.atomic
def test_a_row_of_a_case_comes_with_its_locked_case_and_what_is_read(case, worker, django_assert_num_queries):
    application = RepairApplication.objects.create(case=case, record=register_penalty(worker))
    with django_assert_num_queries(3):  # the case's id, the case locked, the application with its record
        locked = scaffold.locked_by_case(RepairApplication, application.pk, related=("record__party",))
        assert (locked.case, locked.record.party.name) == (case, "示范公司")


@transaction.atomic
def test_a_row_of_a_case_that_is_not_there_is_not_found(case):
    with pytest.raises(NotFound):
        scaffold.locked_by_case(RepairApplication, MISSING)


# --- a department's case ------------------------------------------------------------------------


@transaction.atomic
def test_a_department_case_is_locked_for_its_own_caseworker(case, worker):
    assert scaffold.locked_department_case(case.pk, worker) == case


@transaction.atomic
def test_another_departments_case_is_not_shown_to_exist(case, stranger):
    with pytest.raises(NotFound):
        scaffold.locked_department_case(case.pk, stranger)


@transaction.atomic
def test_a_missing_case_is_not_found_for_a_caseworker(worker):
    with pytest.raises(NotFound):
        scaffold.locked_department_case(MISSING, worker)


@transaction.atomic
def test_without_the_permission_even_a_missing_case_is_refused_first(case):
    applicant = ApplicantFactory(username="applicant")
    with pytest.raises(NotPermitted):
        scaffold.locked_department_case(MISSING, applicant)
    with pytest.raises(NotPermitted):
        scaffold.locked_department_case(case.pk, AnonymousUser())


# --- require_department ---------------------------------------------------------------------------


def test_the_owning_department_may_act(case, worker):
    scaffold.require_department(case, worker)


def test_another_department_is_refused(case, stranger):
    with pytest.raises(NotPermitted):
        scaffold.require_department(case, stranger)


def test_another_department_can_be_refused_as_not_found(case, stranger):
    with pytest.raises(NotFound):
        scaffold.require_department(case, stranger, refusal=NotFound)


def test_the_permission_is_checked_before_the_department(case):
    clerk = StaffFactory(username="clerk", role=Role.INTAKE_CLERK)  # same department, no department work
    with pytest.raises(NotPermitted):
        scaffold.require_department(case, clerk)
    with pytest.raises(NotPermitted):
        scaffold.require_department(case, None)


def test_a_named_permission_is_required(case, worker):
    with pytest.raises(NotPermitted):
        scaffold.require_department(case, worker, "cases.approve_department_decisions")
    head = StaffFactory(username="head", role=Role.DEPARTMENT_HEAD)
    scaffold.require_department(case, head, "cases.approve_department_decisions")


def test_a_permission_already_checked_is_not_asked_again(case):
    clerk = StaffFactory(username="clerk", role=Role.INTAKE_CLERK)
    scaffold.require_department(case, clerk, permission=None)


def test_a_department_member_needs_a_department(worker):
    scaffold.require_department_member(worker)
    homeless = StaffFactory(username="homeless", department=None)
    with pytest.raises(NotPermitted):
        scaffold.require_department_member(homeless)
    with pytest.raises(NotPermitted):
        scaffold.require_department_member(ApplicantFactory(username="applicant"))


# --- require_filer ----------------------------------------------------------------------------------


@pytest.fixture
def filer(db):
    return ApplicantFactory(username="filer")


def _check(actor, filer):
    scaffold.require_filer(actor, filer_id=filer.pk, entity_kind=filer.entity_kind, id_number=filer.id_number)


def test_the_filer_acting_for_the_entity_may_act(filer):
    _check(filer, filer)


@pytest.mark.parametrize("who", ["nobody", "anonymous", "someone else", "staff"])
def test_anyone_but_the_filer_is_not_shown_the_case(filer, who):
    actor = {
        "nobody": lambda: None,
        "anonymous": AnonymousUser,
        "someone else": lambda: ApplicantFactory(username="other", id_number=filer.id_number, verified=False),
        "staff": lambda: StaffFactory(username="worker"),
    }[who]()
    with pytest.raises(NotFound):
        _check(actor, filer)


def test_a_filer_whose_binding_ended_is_not_shown_the_case(filer):
    IdentityBinding.objects.filter(user=filer).update(revoked_at=timezone.now())
    with pytest.raises(NotFound):
        _check(filer, filer)
