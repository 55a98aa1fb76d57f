"""The audit trail's hash chains on the real PostgreSQL: writers at the same moment on one chain
take turns (the head row's lock), the sweep's COPY batches are linked, a row changed behind the
trigger's back is found, and the migration links the events written before it."""

import threading
import time

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.utils import DatabaseError

from cases.core import audit_chain, events
from cases.core.models import AuditChainHead, AuditEvent, Case
from cases.supervision import sweep as supervision
from tests.cases.test_audit_chain import broken, migrate_old_events_and_verify, verify_audit
from tests.factories import CaseFactory, StaffFactory
from tests.integration.overdue import SWEEP_AT, overdue_deadlines

pytestmark = pytest.mark.integration

ROUNDS = 40


def in_threads(*calls):
    """Run the calls in threads released together; re-raise the first failure."""
    barrier = threading.Barrier(len(calls))
    failures = []

    def run(call):
        try:
            barrier.wait()
            call()
        except Exception as exc:  # reported below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


@pytest.mark.django_db(transaction=True)
def test_writers_at_the_same_moment_on_one_chain_take_turns():
    """Two services writing single events on one case and a sweep-like writer adding batches to the
    same case and others, all at once, while verify_audit reads the trail: one unbroken chain per
    subject, every event in it."""
    worker = StaffFactory()
    case, other = CaseFactory(assignee=worker), CaseFactory(assignee=worker)
    case_type = ContentType.objects.get_for_model(Case)

    def single(name):
        for i in range(ROUNDS):
            with transaction.atomic():
                events.record(subject=case, event_type=f"test.{name}", actor=worker, round=i)
                time.sleep(0.002)  # hold the chain a moment, as a service's transaction does

    def batches():
        for i in range(ROUNDS // 4):
            with transaction.atomic():
                audit_chain.insert(
                    [{"subject_type_id": case_type.pk, "subject_id": subject.pk, "event_type": "test.batch",
                      "payload": {"round": i, "n": n}} for n in range(3) for subject in (other, case)]
                )  # fmt: skip
                time.sleep(0.002)

    verified = []

    def verifier():
        give_up = time.monotonic() + 120
        while time.monotonic() < give_up and (
            len(verified) < 5 or AuditEvent.objects.for_subject(case).count() < 2 * ROUNDS
        ):
            verified.append(audit_chain.verify().broken)

    in_threads(lambda: single("a"), lambda: single("b"), batches, verifier)
    assert verified == [None] * len(verified)  # the trail read while the writers appended: no break
    expected = 2 * ROUNDS + 3 * (ROUNDS // 4)
    chain = list(AuditEvent.objects.for_subject(case).order_by("id"))
    assert len(chain) == expected
    assert [e.prev_hash for e in chain] == ["", *[e.hash for e in chain[:-1]]]
    assert AuditChainHead.objects.get(subject_type=case_type, subject_id=case.pk).length == expected
    assert "intact: 2 chains" in verify_audit()


@pytest.mark.django_db(transaction=True)
def test_the_sweeps_copy_batches_are_linked():
    overdue_deadlines(1100)  # two batches of the sweep
    report = supervision.sweep(now=SWEEP_AT)
    assert report.total == 3 * 1100 and report.batches >= 2
    case = Case.objects.order_by("-id").first()
    chain = list(AuditEvent.objects.for_subject(case).order_by("id"))
    assert [e.event_type for e in chain][-3:] == ["deadline.reminded", "deadline.supervised", "deadline.escalated"]
    assert [e.prev_hash for e in chain] == ["", *[e.hash for e in chain[:-1]]]
    assert verify_audit().strip().endswith(f"{AuditEvent.objects.count():,} events")


@pytest.mark.django_db(transaction=True)
def test_a_payload_changed_behind_the_triggers_back_is_reported_at_that_event():
    worker = StaffFactory()
    case = CaseFactory(assignee=worker)
    # Numbers as jsonb gives them back otherwise (1e+20 as 100000000000000000000, 1.0 as 1.0).
    numbers = {"big": 1e20, "whole": 1.0, "half": 2.5, "tiny": 1.5e-7, "int": 2**60, "text": "答复", "list": (1, None)}
    written = [events.record(subject=case, event_type="test.step", actor=worker, step=i, **numbers) for i in range(3)]
    target = written[1]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE cases_auditevent SET payload = '{\"step\": 9}' WHERE id = %s", [target.pk])
    assert "intact" in verify_audit()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("ALTER TABLE cases_auditevent DISABLE TRIGGER cases_auditevent_append_only")
        cursor.execute("UPDATE cases_auditevent SET payload = '{\"step\": 9}' WHERE id = %s", [target.pk])
        cursor.execute("ALTER TABLE cases_auditevent ENABLE TRIGGER cases_auditevent_append_only")
    message = broken()
    assert f"chain cases.case#{case.pk}, event {target.pk}: hash expected" in message
    assert f"found {target.hash}" in message


@pytest.mark.django_db(transaction=True)
def test_the_migration_links_the_events_written_before_it_on_postgresql():
    migrate_old_events_and_verify()
    with pytest.raises(DatabaseError, match="append-only"), connection.cursor() as cursor:
        cursor.execute("UPDATE cases_auditevent SET hash = 'x'")  # the trigger is back on
