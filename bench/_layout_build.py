"""Run by bench/layout_migration.py INSIDE the flat layout's tree (its working directory, its
settings, its modules): `--cases` cases added to the demo data, the way the other benches build
theirs (SQL over generate_series), each with its workflow process and tasks as the flows leave
them, its deadline, a complaint row for a complaint, and two audit events written by that layout's
own bulk writer (cases.audit_chain.insert, hash-chained, COPY). Only the flat layout's modules are
imported here."""

import argparse
import os
import sys
import time

sys.path.insert(0, os.getcwd())

import django

django.setup()

from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from cases import audit_chain  # noqa: E402  (the flat layout's module)

PREFIX = "9"  # the bench's case numbers (XF9…, TS9…): the demo's are XF2026…, TS2026…
OPEN_REPAIR = ["submitted", "accepted", "under_review", "resubmitted"]
CLOSED_REPAIR = ["synced", "rejected", "not_accepted"]
OPEN_COMPLAINT = ["assigned", "in_progress", "in_progress", "answered"]
CLOSED_COMPLAINT = ["closed", "rejected"]
HUMAN_TASK = {"repair": "acceptance", "complaint": "handling"}
AUDIT_BATCH = 10_000


def build_cases(n: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM cases_department WHERE NOT is_supervising_unit ORDER BY id")
        departments = [pk for (pk,) in cursor.fetchall()]
        cursor.execute("SELECT id FROM cases_channel ORDER BY id")
        channels = [pk for (pk,) in cursor.fetchall()]
        params = {
            "n": n,
            "departments": departments,
            "channels": channels,
            "open_repair": OPEN_REPAIR,
            "closed_repair": CLOSED_REPAIR,
            "open_complaint": OPEN_COMPLAINT,
            "closed_complaint": CLOSED_COMPLAINT,
            "prefix": PREFIX,
        }
        cursor.execute(
            """
            INSERT INTO cases_case (number, kind, title, state, department_id, verification_code, created_at,
                                    closed_at, next_due_at, supervision_stage, complaint_subject, complaint_channel_id)
            SELECT CASE WHEN r.kind = 'repair' THEN 'XF' ELSE 'TS' END || %(prefix)s || lpad(g::text, 9, '0'),
                   r.kind,
                   CASE WHEN r.kind = 'repair' THEN '行政处罚信息修复 ' ELSE '拖欠工程款投诉 ' END || g,
                   r.state,
                   (%(departments)s::bigint[])[1 + g %% cardinality(%(departments)s::bigint[])],
                   'ABCDEFGH', r.created_at,
                   CASE WHEN r.open THEN NULL ELSE r.created_at + interval '20 days' END,
                   CASE WHEN r.open THEN (current_date + (g %% 40) - 10)::timestamptz END,
                   0,
                   CASE WHEN r.kind = 'complaint' THEN 'arrears' ELSE '' END,
                   CASE WHEN r.kind = 'complaint'
                        THEN (%(channels)s::bigint[])[1 + g %% cardinality(%(channels)s::bigint[])] END
            FROM generate_series(1, %(n)s) AS g
            CROSS JOIN LATERAL (
                SELECT k.kind, k.open, now() - (g %% 730) * interval '1 day' AS created_at,
                       CASE WHEN k.kind = 'repair' AND k.open
                                THEN (%(open_repair)s::text[])[1 + g %% cardinality(%(open_repair)s::text[])]
                            WHEN k.kind = 'repair'
                                THEN (%(closed_repair)s::text[])[1 + g %% cardinality(%(closed_repair)s::text[])]
                            WHEN k.open
                                THEN (%(open_complaint)s::text[])[1 + g %% cardinality(%(open_complaint)s::text[])]
                            ELSE (%(closed_complaint)s::text[])[1 + g %% cardinality(%(closed_complaint)s::text[])]
                       END AS state
                FROM (SELECT CASE WHEN g %% 2 = 0 THEN 'complaint' ELSE 'repair' END AS kind,
                             g %% 5 = 0 AS open) AS k
            ) AS r
            ORDER BY g
            """,
            params,
        )
        cursor.execute(
            "CREATE TEMP TABLE bench_cases AS SELECT id, kind, state, closed_at, created_at, department_id,"
            " number, row_number() OVER (ORDER BY id) AS rank FROM cases_case"
            " WHERE number LIKE 'XF' || %(prefix)s || '%%' OR number LIKE 'TS' || %(prefix)s || '%%'",
            params,
        )
        cursor.execute(
            """
            INSERT INTO cases_deadline (case_id, step, label, department_id, working_days, started_on, due_on,
                                        due_at, stage, next_action_at, closed_at)
            SELECT c.id, c.kind || '.step', '办理时限', c.department_id, 15, d.due_on - 21, d.due_on,
                   (d.due_on + 1)::timestamptz, 0,
                   CASE WHEN c.closed_at IS NULL THEN (d.due_on - 3)::timestamptz END, c.closed_at
            FROM bench_cases c
            CROSS JOIN LATERAL (SELECT c.created_at::date + 21 AS due_on) AS d
            """
        )
        cursor.execute(
            """
            INSERT INTO cases_complaint (case_id, channel_id, channel_reference, complainant_name, complainant_phone,
                                         enterprise_name, enterprise_uscc, respondent, subject, facts, received_at,
                                         reopen_count, extension_reason, extensions_granted, finding, answer,
                                         rejection_reason, confirmed_by_default, typical)
            SELECT c.id, k.complaint_channel_id, 'REF-' || c.id, '张经理', '', '示范企业' || c.id,
                   '91620702MA71ABCD0X', '区某局', 'arrears', '拖欠工程款', c.created_at,
                   0, '', 0, '', '', '', false, false
            FROM bench_cases c JOIN cases_case k ON k.id = c.id WHERE c.kind = 'complaint'
            """
        )


def build_processes() -> None:
    """One process a case, as the flows leave it: start and route done, the person's task open
    (done when the case is closed). Ids given here so that tasks and links can name them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM viewflow_process")
        (process_base,) = cursor.fetchone()
        cursor.execute("SELECT coalesce(max(id), 0) FROM viewflow_task")
        (task_base,) = cursor.fetchone()
        params = {"process_base": process_base, "task_base": task_base}
        cursor.execute(
            """
            INSERT INTO viewflow_process (id, flow_class, status, created, finished, data)
            SELECT %(process_base)s + c.rank,
                   CASE WHEN c.kind = 'repair' THEN 'workflows/flows.RepairFlow'
                        ELSE 'workflows/flows.ComplaintFlow' END,
                   CASE WHEN c.closed_at IS NULL THEN 'NEW' ELSE 'DONE' END, c.created_at, c.closed_at, '{}'
            FROM bench_cases c ORDER BY c.rank
            """,
            params,
        )
        cursor.execute(
            "INSERT INTO workflows_caseprocess (process_ptr_id, case_id)"
            " SELECT %(process_base)s + c.rank, c.id FROM bench_cases c ORDER BY c.rank",
            params,
        )
        cursor.execute(
            """
            INSERT INTO viewflow_task (id, flow_task, flow_task_type, status, created, started, finished, token,
                                       owner_permission, process_id, data)
            SELECT %(task_base)s + (c.rank - 1) * 3 + s.n,
                   CASE WHEN c.kind = 'repair' THEN 'workflows/flows.RepairFlow.'
                        ELSE 'workflows/flows.ComplaintFlow.' END || s.name,
                   s.type,
                   CASE WHEN s.type = 'HUMAN' AND c.closed_at IS NULL THEN 'NEW' ELSE 'DONE' END,
                   c.created_at, c.created_at,
                   CASE WHEN s.type = 'HUMAN' THEN c.closed_at ELSE c.created_at END,
                   'start',
                   CASE WHEN s.type = 'HUMAN' THEN 'cases.work_department_cases' END,
                   %(process_base)s + c.rank, '{}'
            FROM bench_cases c
            CROSS JOIN LATERAL (VALUES (1, 'start', 'START'), (2, 'route', 'SWITCH'),
                (3, CASE WHEN c.kind = 'repair' THEN 'acceptance' ELSE 'handling' END, 'HUMAN')) AS s(n, name, type)
            ORDER BY c.rank, s.n
            """,
            params,
        )
        cursor.execute(
            """
            INSERT INTO viewflow_task_previous (from_task_id, to_task_id)
            SELECT %(task_base)s + (c.rank - 1) * 3 + s.n, %(task_base)s + (c.rank - 1) * 3 + s.n + 1
            FROM bench_cases c CROSS JOIN generate_series(1, 2) AS s(n)
            ORDER BY c.rank, s.n
            """,
            params,
        )
        for table in ("viewflow_process", "viewflow_task"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")


def build_audit_events() -> int:
    """Two events a case (opened, its deadline started), through the flat layout's bulk writer."""
    case_type = ContentType.objects.get(app_label="cases", model="case").pk
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, number, kind, state, created_at FROM bench_cases ORDER BY rank")
        cases = cursor.fetchall()
    written = 0
    for start in range(0, len(cases), AUDIT_BATCH):
        rows = []
        for pk, number, kind, state, created_at in cases[start : start + AUDIT_BATCH]:
            common = {"subject_type_id": case_type, "subject_id": pk, "reference": number, "actor_id": None}
            rows.append(
                common
                | {
                    "event_type": "case.opened",
                    "to_state": state,
                    "from_state": "",
                    "payload": {"kind": kind},
                    "created_at": created_at,
                }
            )
            rows.append(
                common
                | {
                    "event_type": "deadline.started",
                    "to_state": "",
                    "from_state": "",
                    "payload": {"step": f"{kind}.step", "working_days": 15},
                    "created_at": created_at,
                }
            )
        with transaction.atomic():
            audit_chain.insert(rows)
        written += len(rows)
    return written


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, required=True)
    args = parser.parse_args()
    start = time.perf_counter()
    with transaction.atomic():
        build_cases(args.cases)
        build_processes()
        events = build_audit_events()
    with connection.cursor() as cursor:
        for table in ("cases_case", "cases_deadline", "cases_complaint", "viewflow_process", "viewflow_task"):
            cursor.execute(f"ANALYZE {table}")
    print(f"{args.cases} {events} {time.perf_counter() - start:.1f}")


if __name__ == "__main__":
    main()
