"""How fast the deadline sweep finds due steps among 1,000,000 cases, and how fast it escalates.

    python bench/sweep.py [--cases 1000000] [--due 10000] [--batch 1000] [--smoke]

Builds a fresh PostgreSQL database (chengxin_bench), fills it with SQL, then measures:
  - detect: the sweep's batch query (FOR UPDATE SKIP LOCKED, a batch of `--batch` rows, the
    sweep's 1,000 by default) — goal ≤ 150 ms
  - escalate: deadlines escalated per second by the real sweep, and all rows it writes per
    second (deadline update, audit event, supervision order, notifications) — goal ≥ 30,000 rows/s

Exits 1 if the sweep does not escalate every due deadline. `--smoke` runs the same at a small size
(chengxin_bench_smoke; several batches, as at full size).
"""

import argparse
import statistics
import sys
import time
from datetime import timedelta

from _setup import REDIS_URL, django_on_bench_database, parse_args, percentile


def build(cases: int, due: int) -> None:
    from django.contrib.auth.models import Group
    from django.db import connection

    from cases.core.models import Department, User

    departments = list(Department.objects.values_list("pk", flat=True))
    assignee = User.objects.create(username="bench-worker", department_id=departments[3])
    head = User.objects.create(username="bench-head", department_id=departments[3])
    supervisor = User.objects.create(username="bench-supervisor", department_id=departments[0])
    head.groups.add(Group.objects.get(name="department_head"))
    supervisor.groups.add(Group.objects.get(name="supervisor"))
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO cases_case (number, kind, title, state, department_id, assignee_id,
                                    verification_code, created_at)
            SELECT 'TS' || lpad(g::text, 10, '0'),
                   CASE WHEN g %% 2 = 0 THEN 'complaint' ELSE 'repair' END,
                   '投诉事项 ' || g, 'in_progress',
                   (%(departments)s::bigint[])[1 + g %% cardinality(%(departments)s::bigint[])],
                   %(assignee)s, 'ABCDEFGH', now() - (g %% 60) * interval '1 day'
            FROM generate_series(1, %(cases)s) AS g
            """,
            {"departments": departments, "assignee": assignee.pk, "cases": cases},
        )
        # Every case has one open step. `due` of them are 10+ working days overdue with their
        # supervision order issued, so escalation is what the sweep does next; the rest are due later.
        cursor.execute(
            """
            INSERT INTO cases_deadline (case_id, step, label, department_id, assignee_id, working_days,
                                        started_on, due_on, due_at, stage, next_action_at)
            SELECT c.id, 'complaint.answer', '部门答复', c.department_id, c.assignee_id, 15,
                   d.due_on - 21, d.due_on, (d.due_on + 1)::timestamptz, d.stage, d.next_action_at
            FROM cases_case c
            CROSS JOIN LATERAL (
                SELECT CASE WHEN c.id <= %(due)s THEN current_date - 30
                            ELSE current_date + (5 + c.id %% 40)::int END AS due_on,
                       CASE WHEN c.id <= %(due)s THEN 2 ELSE 0 END AS stage,
                       CASE WHEN c.id <= %(due)s THEN now() - interval '1 hour'
                            ELSE now() + (1 + c.id %% 40) * interval '1 day' END AS next_action_at
            ) AS d
            """,
            {"due": due},
        )
        cursor.execute("ANALYZE cases_case; ANALYZE cases_deadline;")


def detect_figures(batch_size: int, due: int, runs: int = 30) -> list[float]:
    from django.db import transaction
    from django.utils import timezone

    from cases.supervision.sweep import due_batch

    timings = []
    for _ in range(runs):
        now = timezone.now()
        start = time.perf_counter()
        with transaction.atomic():
            batch = due_batch(now, batch_size)
            timings.append((time.perf_counter() - start) * 1000)
            transaction.set_rollback(True)
    assert len(batch) == min(batch_size, due), (len(batch), batch_size, due)
    return timings


def explain(batch_size: int) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN (ANALYZE, BUFFERS) SELECT id FROM cases_deadline WHERE next_action_at <= now() "
            "ORDER BY next_action_at LIMIT %s FOR UPDATE SKIP LOCKED",
            [batch_size],
        )
        return "\n".join("    " + row[0] for row in cursor.fetchall())


def warm_up_broker() -> None:
    """The worker that runs the sweep has its broker connection long before; here the first
    publish would import the transport and connect inside the timed sweep."""
    from celery import current_app

    with current_app.producer_or_acquire() as producer:
        producer.connection.ensure_connection()


def escalate(batch_size: int) -> tuple[int, float, dict]:
    from django.utils import timezone

    from cases.core.models import AuditEvent
    from cases.supervision import sweep as supervision
    from cases.supervision.models import SupervisionOrder
    from notifications.models import Notification

    before = (AuditEvent.objects.count(), SupervisionOrder.objects.count(), Notification.objects.count())
    start, cpu = time.perf_counter(), time.process_time()
    report = supervision.sweep(now=timezone.now() + timedelta(seconds=1), batch_size=batch_size)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"  the sweep's own CPU: {cpu:.2f} s of {elapsed:.2f} s (the rest: PostgreSQL and the wait for it)")
    written = {
        "deadlines updated": report.total,
        "audit events": AuditEvent.objects.count() - before[0],
        "supervision orders": SupervisionOrder.objects.count() - before[1],
        "notifications": Notification.objects.count() - before[2],
    }
    return report.fired["deadline.escalated"], elapsed, written


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=1000, help="the sweep's batch size (its default is 1,000)")
    args = parse_args(parser, cases=600, due=300, batch=100)
    if args.due > args.cases:
        parser.error("--due cannot exceed --cases")
    django_on_bench_database()
    start = time.perf_counter()
    build(args.cases, args.due)
    print(f"built {args.cases:,} cases with one open deadline each in {time.perf_counter() - start:.1f} s")

    timings = detect_figures(args.batch, args.due)
    print(
        f"detect (batch of {min(args.batch, args.due):,} due among {args.cases:,}): "
        f"p50 {statistics.median(timings):.1f} ms, "
        f"p95 {percentile(timings, 95):.1f} ms, max {max(timings):.1f} ms   (goal ≤ 150 ms)"
    )
    print("  plan:\n" + explain(args.batch))

    warm_up_broker()
    escalated, elapsed, written = escalate(args.batch)
    rows = sum(written.values())
    print(
        f"escalate (batches of {args.batch:,}): {escalated:,} deadlines in {elapsed:.2f} s "
        f"= {escalated / elapsed:,.0f} deadlines/s; "
        f"{rows:,} rows written = {rows / elapsed:,.0f} rows/s   (goal ≥ 30,000 rows/s)"
    )
    print("  rows: " + ", ".join(f"{name} {count:,}" for name, count in written.items()))
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    if escalated != args.due:
        sys.exit(f"the sweep escalated {escalated:,} deadlines of the {args.due:,} due")


if __name__ == "__main__":
    main()
