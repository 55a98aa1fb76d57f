"""The service scaffold's locks on PostgreSQL: a row it locks holds off every other lock on it until
the transaction ends, and the rule its callers follow about nullable joins."""

import threading

import pytest
from django.db import DatabaseError, NotSupportedError, connection, transaction

from cases.core import scaffold
from cases.core.models import Case
from cases.repair.models import RepairApplication
from tests.factories import CaseFactory, StaffFactory, register_penalty

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _held_while(lock, check):
    """Take `lock` in another connection; what `check` finds while it is held."""
    taken, done = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                lock()
                taken.set()
                done.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert taken.wait(10)
        return check()
    finally:
        done.set()
        holder.join()


def _case_is_locked(case_id: int) -> bool:
    try:
        with transaction.atomic():
            Case.objects.select_for_update(nowait=True).get(pk=case_id)
    except DatabaseError:
        return True
    return False


def test_a_locked_row_holds_off_another_lock_until_its_transaction_ends():
    case = CaseFactory(kind="repair", state="submitted")
    assert _held_while(lambda: scaffold.locked(Case, case.pk), lambda: _case_is_locked(case.pk))
    assert not _case_is_locked(case.pk)


def test_a_row_of_a_case_locks_its_case():
    worker = StaffFactory(username="worker")
    case = CaseFactory(kind="repair", state="submitted")
    application = RepairApplication.objects.create(case=case, record=register_penalty(worker))
    assert _held_while(
        lambda: scaffold.locked_by_case(RepairApplication, application.pk, related=("record__party",)),
        lambda: _case_is_locked(case.pk),
    )


def test_a_department_case_is_locked_for_its_caseworker():
    worker = StaffFactory(username="worker")
    case = CaseFactory(kind="repair", state="submitted")
    assert _held_while(lambda: scaffold.locked_department_case(case.pk, worker), lambda: _case_is_locked(case.pk))


def test_postgresql_refuses_to_lock_the_nullable_side_of_an_outer_join():
    """Why no caller joins the case's assignee into its lock (cases.core.scaffold.locked)."""
    case = CaseFactory(kind="repair", state="submitted")
    with pytest.raises(NotSupportedError), transaction.atomic():
        scaffold.locked(Case, case.pk, related=("assignee",))
    with transaction.atomic():
        assert scaffold.locked(Case, case.pk, related=("assignee",), of=("self",)) == case
