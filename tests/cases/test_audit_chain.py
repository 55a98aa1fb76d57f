"""The audit trail's hash chains: every writer links its events, verify_audit finds the first
broken link, SM3 or SHA-256 by setting, each event naming its own."""

from datetime import UTC, date, datetime, time

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone

from cases.core import audit_chain, events, services
from cases.core.models import AuditChainHead, AuditEvent, Case, Policy
from cases.core.models.audit import AuditEventNotChained
from cases.infra.bulk import IncompleteRows, insert_rows
from cases.records import watch as record_watch
from cases.supervision import sweep as supervision
from tests.factories import CaseFactory, register_penalty

pytestmark = pytest.mark.django_db

SM3_ABC = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
SHA256_ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def verify_audit() -> str:
    from io import StringIO

    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def broken() -> str:
    with pytest.raises(CommandError) as caught:
        verify_audit()
    assert caught.value.returncode == 1
    return str(caught.value)


def chain_of(subject) -> list[AuditEvent]:
    return list(AuditEvent.objects.for_subject(subject).order_by("id"))


def raw(sql: str, params=()) -> None:
    """What someone with write access to the database could do (SQLite has no trigger)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def case(caseworker):
    case = CaseFactory(assignee=caseworker)
    events.case_opened_event(case=case, actor=caseworker)
    services.start_deadline(
        case=case, step="complaint.answer", label="部门答复", policy_key="answer_within", start=date(2025, 3, 3)
    )
    return case


# --- the hash -------------------------------------------------------------------------------------


def test_sm3_gives_the_standards_test_vector():
    assert audit_chain.digest("sm3", b"abc") == SM3_ABC


def test_the_kept_sm3_package_gives_the_same_vector_where_openssl_has_none():
    assert audit_chain._sm3_gmssl(b"abc") == SM3_ABC
    assert audit_chain._sm3_openssl(b"abc") == SM3_ABC


def test_sha256_is_the_default():
    assert audit_chain.digest("sha256", b"abc") == SHA256_ABC
    assert audit_chain.current_algorithm() == "sha256"


def test_an_unknown_algorithm_setting_is_refused(settings, caseworker):
    settings.AUDIT_HASH_ALGORITHM = "md5"
    with pytest.raises(ImproperlyConfigured):
        events.role_granted_event(user=caseworker, actor=None, role="x")


def test_the_hash_covers_the_canonical_content(case):
    first = chain_of(case)[0]
    content = audit_chain.canonical(
        {name: getattr(first, name) for name in audit_chain.CONTENT}, audit_chain.subject_label(first.subject_type_id)
    )
    assert content.startswith(f'["cases.case",{case.pk},"{case.number}","case.opened",'.encode())
    assert content.endswith(f'"{first.created_at.astimezone(UTC).isoformat(timespec="microseconds")}",""]'.encode())
    assert first.hash == audit_chain.digest("sha256", content)


# --- writers --------------------------------------------------------------------------------------


def test_single_events_are_linked_in_the_order_written(case):
    opened, started = chain_of(case)
    assert (opened.prev_hash, started.prev_hash) == ("", opened.hash)
    assert {opened.hash_algorithm, started.hash_algorithm} == {"sha256"}
    head = AuditChainHead.objects.get(subject_id=case.pk, subject_type=opened.subject_type)
    assert (head.last_hash, head.length) == (started.hash, 2)
    assert "intact" in verify_audit()


def test_each_subject_has_a_chain_of_its_own(case, caseworker):
    other = CaseFactory(assignee=caseworker)
    first = events.case_opened_event(case=other, actor=caseworker)
    assert first.prev_hash == ""
    assert "2 chains" in verify_audit()


def test_the_sweeps_bulk_events_continue_each_chain(case, caseworker):
    second = CaseFactory(assignee=caseworker)
    services.start_deadline(
        case=second, step="complaint.answer", label="部门答复", policy_key="answer_within", start=date(2025, 3, 3)
    )
    report = supervision.sweep(now=timezone.make_aware(datetime.combine(date(2025, 4, 30), time(9))), batch_size=1)
    assert report.total == 6  # three stages for each case, in batches of one
    for subject in (case, second):
        chain = chain_of(subject)
        assert [e.prev_hash for e in chain] == ["", *[e.hash for e in chain[:-1]]]
        assert [e.event_type for e in chain][-3:] == ["deadline.reminded", "deadline.supervised", "deadline.escalated"]
    assert "intact" in verify_audit()


def test_the_record_watchs_bulk_events_continue_each_chain(caseworker):
    record = register_penalty(caseworker)
    assert record_watch.tell_repairable(record.repairable_from) == 1
    *earlier, before, repairable = chain_of(record)
    assert (earlier[0].event_type, repairable.event_type) == ("record.registered", "record.repairable")
    assert repairable.prev_hash == before.hash
    assert "intact" in verify_audit()


def test_events_written_together_are_linked_in_list_order(caseworker):
    cases = [CaseFactory(assignee=caseworker) for _ in range(2)]
    written = events.opened_cases_events(
        [(cases[0], "case.opened", caseworker, {}), (cases[1], "case.opened", None, {}), (cases[0], "x", None, {})]
    )
    assert written[2].prev_hash == written[0].hash and written[1].prev_hash == ""
    assert "intact" in verify_audit()


def test_an_event_that_was_not_linked_is_refused(caseworker):
    event = AuditEvent(subject=caseworker, event_type="forged", payload={})
    with pytest.raises(AuditEventNotChained):
        event.save()
    row = {"subject_type_id": 1, "subject_id": caseworker.pk, "event_type": "forged"}
    with pytest.raises(IncompleteRows, match="hash"):
        insert_rows(AuditEvent, [row])
    assert not AuditEvent.objects.filter(event_type="forged").exists()


def test_a_rolled_back_event_leaves_the_chain_as_it_was(case):
    with transaction.atomic():
        events.case_opened_event(case=case, actor=None)
        transaction.set_rollback(True)
    events.case_opened_event(case=case, actor=None)
    assert "intact" in verify_audit()


def test_numbers_and_tuples_in_a_payload_verify_as_the_database_gives_them_back(caseworker):
    numbers = {"big": 1e20, "whole": 1.0, "half": 2.5, "tiny": 1.5e-7, "int": 2**60, "list": (1, None), 3: "key"}
    events.record(subject=caseworker, event_type="test.numbers", **{"numbers": numbers})
    assert "intact" in verify_audit()


# --- the setting ---------------------------------------------------------------------------------


def test_each_event_names_its_algorithm_so_a_change_of_setting_keeps_old_events_verifiable(settings, case):
    settings.AUDIT_HASH_ALGORITHM = "sm3"
    events.case_opened_event(case=case, actor=None)
    supervision.sweep(now=timezone.make_aware(datetime.combine(date(2025, 4, 30), time(9))))
    chain = chain_of(case)
    assert [e.hash_algorithm for e in chain[:2]] == ["sha256", "sha256"]
    assert {e.hash_algorithm for e in chain[2:]} == {"sm3"}
    last = chain[-1]
    row = {name: getattr(last, name) for name in audit_chain.CONTENT}
    assert last.hash == audit_chain.digest("sm3", audit_chain.canonical(row, "cases.case"))
    settings.AUDIT_HASH_ALGORITHM = "sha256"
    events.case_opened_event(case=case, actor=None)
    assert "intact" in verify_audit()


# --- tampering -----------------------------------------------------------------------------------


@pytest.fixture
def trail(case, caseworker):
    """Two chains: the case's (opened, started, three sweep stages) and a policy's."""
    supervision.sweep(now=timezone.make_aware(datetime.combine(date(2025, 4, 30), time(9))))
    events.policy_changed_event(policy=Policy.objects.first(), actor=caseworker, old_value=1)
    return chain_of(case)


def test_a_changed_payload_is_reported_at_that_event(trail):
    target = trail[2]
    raw("UPDATE cases_auditevent SET payload = %s WHERE id = %s", ['{"step": "forged"}', target.pk])
    message = broken()
    assert f"event {target.pk}:" in message and f"cases.case#{target.subject_id}" in message
    assert "hash expected" in message and f"found {target.hash}" in message


def test_a_changed_actor_or_time_is_reported_at_that_event(trail):
    target = trail[0]
    raw("UPDATE cases_auditevent SET created_at = %s WHERE id = %s", ["2020-01-01 00:00:00", target.pk])
    assert f"event {target.pk}:" in broken()


def test_a_recomputed_hash_breaks_the_next_link(trail):
    target = trail[1]
    raw("UPDATE cases_auditevent SET event_type = 'forged', hash = 'f' WHERE id = %s", [target.pk])
    row = {name: getattr(target, name) for name in audit_chain.CONTENT} | {"event_type": "forged"}
    forged = audit_chain.event_hash(row, "cases.case", "sha256")
    raw("UPDATE cases_auditevent SET hash = %s WHERE id = %s", [forged, target.pk])
    message = broken()
    assert f"event {trail[2].pk}: previous hash expected {forged}, found {target.hash}" in message


def test_a_removed_event_is_reported_at_the_next_one(trail):
    raw("DELETE FROM cases_auditevent WHERE id = %s", [trail[1].pk])
    assert f"event {trail[2].pk}: previous hash expected {trail[0].hash}" in broken()


def test_a_removed_last_event_is_reported_by_the_chain_head(trail):
    raw("DELETE FROM cases_auditevent WHERE id = %s", [trail[-1].pk])
    message = broken()
    assert f"event {trail[-2].pk}: chain head" in message
    assert f"{len(trail)} events ending in {trail[-1].hash}" in message


def test_a_removed_chain_is_reported_by_its_head(trail):
    raw("DELETE FROM cases_auditevent WHERE subject_type_id = %s AND subject_id = %s",
        [trail[0].subject_type_id, trail[0].subject_id])  # fmt: skip
    assert f"cases.case#{trail[0].subject_id}, no event: chain head expected {len(trail)} events" in broken()


def test_an_unknown_algorithm_on_an_event_is_reported(trail):
    raw("UPDATE cases_auditevent SET hash_algorithm = 'md5' WHERE id = %s", [trail[3].pk])
    assert f"event {trail[3].pk}: hash algorithm" in broken()


def test_an_intact_trail_passes_with_its_figures(trail):
    assert verify_audit().strip() == f"audit trail intact: 2 chains, {len(trail) + 1} events"


def test_an_empty_trail_passes():
    AuditChainHead.objects.all().delete()
    raw("DELETE FROM cases_auditevent")
    assert "0 chains, 0 events" in verify_audit()
    assert Case.objects.count() >= 0


# --- events written before the chain ---------------------------------------------------------------


def migrate_old_events_and_verify():
    """Back to before the chain, events written the old way, forward again: every old event is
    linked and verify_audit passes; a new event continues the old chain."""
    from django.db.migrations.executor import MigrationExecutor

    before, after = [("cases", "0025_database_defaults")], [("cases", "0026_audit_hash_chain")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    content_type = old.get_model("contenttypes", "ContentType").objects.get(app_label="cases", model="case")
    OldEvent = old.get_model("cases", "AuditEvent")
    for subject_id, event_type in [(7, "case.opened"), (8, "case.opened"), (7, "deadline.started"), (7, "x")]:
        OldEvent.objects.create(subject_type=content_type, subject_id=subject_id, reference=f"TS{subject_id}",
                                event_type=event_type, payload={"步骤": [1, 2.5, "答复"], "b": None})  # fmt: skip
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    chain = list(AuditEvent.objects.filter(subject_id=7).order_by("id"))
    assert [e.prev_hash for e in chain] == ["", chain[0].hash, chain[1].hash]
    assert verify_audit().strip() == "audit trail intact: 2 chains, 4 events"
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    with transaction.atomic():
        audit_chain.insert([{"subject_type_id": content_type.pk, "subject_id": 7, "event_type": "y"}])
    assert AuditEvent.objects.filter(subject_id=7).latest("id").prev_hash == chain[-1].hash
    assert "2 chains, 5 events" in verify_audit()


@pytest.mark.django_db(transaction=True)
def test_the_migration_links_the_events_written_before_it():
    migrate_old_events_and_verify()
