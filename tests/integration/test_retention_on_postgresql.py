"""Retention on the real PostgreSQL: batches smaller than the work take all of it, and two runs at
the same moment share the due cases without taking one twice (FOR UPDATE SKIP LOCKED)."""

import threading

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection, transaction

from cases.complaints.models import Complaint
from cases.core import retention
from cases.core.models import AuditEvent, Case
from tests.cases.test_audit_chain import verify_audit
from tests.cases.test_retention import MARKER, closed_complaint, months
from tests.integration.test_audit_chain_on_postgresql import in_threads

pytestmark = pytest.mark.integration


def due_cases(count: int) -> list[Case]:
    return [
        closed_complaint(closed_ago=relativedelta(months=months(), days=1), reference=f"R-{i}") for i in range(count)
    ]


@pytest.mark.django_db(transaction=True)
def test_a_run_takes_every_due_case_whatever_the_batch_size():
    cases = due_cases(7)

    outcome = retention.anonymise_due(batch_size=3)

    assert (len(outcome.anonymised), outcome.batches) == (7, 3)
    assert set(Complaint.objects.values_list("complainant_name", flat=True)) == {MARKER}
    assert AuditEvent.objects.filter(event_type="case.anonymised").count() == len(cases)
    assert "audit trail intact" in verify_audit()


@pytest.mark.django_db(transaction=True)
def test_a_case_another_run_holds_is_skipped_not_waited_for():
    held, *others = due_cases(3)
    locked, release = threading.Event(), threading.Event()

    def hold():
        with transaction.atomic():
            Case.objects.select_for_update().get(pk=held.pk)
            locked.set()
            release.wait(30)
        connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(30)
        assert sorted(retention.anonymise_due(batch_size=2).anonymised) == sorted(case.number for case in others)
    finally:
        release.set()
        holder.join()
    assert retention.anonymise_due().anonymised == [held.number]


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_the_same_moment_never_take_a_case_twice():
    cases = due_cases(12)
    outcomes = []

    in_threads(*[lambda: outcomes.append(retention.anonymise_due(batch_size=2)) for _ in range(2)])

    taken = [number for outcome in outcomes for number in outcome.anonymised]
    assert sorted(taken) == sorted(case.number for case in cases)
    assert AuditEvent.objects.filter(event_type="case.anonymised").count() == len(cases)
    assert "audit trail intact" in verify_audit()
